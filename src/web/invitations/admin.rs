//! `/orgs/{org_id}/invitations`: what organization admins and operators (through
//! [`OrgAdmin`](crate::web::extract::OrgAdmin)) do with invitations, one file per task: see the
//! list, invite people, act on one invitation (resend, revoke, delete). The table they all
//! show is in `table`.

mod act;
mod batch_page;
mod invite;
mod list;
mod table;

pub use act::action_routes;
pub use batch_page::show as batch;
pub use invite::invite;
pub use list::list;
