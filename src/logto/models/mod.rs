//! Typed Logto entities, one file per API family. Timestamps are epoch milliseconds, as Logto
//! sends them (MFA verifications: ISO 8601 text). Unknown fields are ignored so newer Logto
//! versions stay readable.

mod invitations;
mod logs;
mod orgs;
mod security;
mod users;

use serde_json::{Map, Value};

pub use invitations::{CodeTarget, Invitation, InvitationFilter, InvitationStatus, NewInvitation};
pub use logs::{Log, LogResult};
pub use orgs::{
    FeaturedUser, OrgMember, OrgRole, Organization, Role, RoleRef, RoleType, UserOrganization,
};
pub use security::{
    BackupCodes, ConnectorType, MfaFactor, MfaVerification, NewAccessToken, PersonalAccessToken,
    SocialConnector, TotpEnrolment,
};
pub use users::{Address, Identity, NewUser, User, UserPatch, UserProfile};

fn empty_object() -> Value {
    Value::Object(Map::new())
}
