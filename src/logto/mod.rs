//! Typed client for the Logto Management API.
//!
//! One [`LogtoClient`] per process: it caches the machine-to-machine token,
//! throttles and bounds outgoing requests, retries what is safe to retry and
//! counts what it does ([`LogtoClient::stats`]). Facts about Logto's behaviour
//! come from `logto-api.md` and recordings of a real Logto 1.37.1.

mod applications;
mod capabilities;
mod check;
mod client;
mod config;
mod error;
mod id;
mod invitations;
mod logs;
mod models;
mod organizations;
mod page;
mod retry;
mod route;
mod search;
mod secret;
mod sessions;
mod stats;
mod stream;
mod throttle;
mod token;
mod users;

pub use applications::{Application, OidcClientMetadata};
pub use capabilities::{
    Capabilities, Feature, Source as CapabilitySource, Undeclared, OLDEST_SUPPORTED,
};
pub use check::{CheckLine, CheckReport, SignInApp};
pub use client::{LogtoClient, LogtoClientConfig, OPENAPI_PATH};
pub use error::LogtoError;
pub use id::{is_valid as id_is_valid, InvalidId, LogtoId};
pub use logs::LogQuery;
pub use models::{
    Address, CodeTarget, FeaturedUser, Identity, Invitation, InvitationFilter, InvitationStatus,
    Log, LogResult, NewInvitation, NewUser, OrgMember, OrgRole, Organization, Role, RoleRef,
    RoleType, User, UserOrganization, UserPatch, UserProfile,
};
pub use organizations::{MemberQuery, OrgQuery, RoleHolders, RolePage, ROLE_SCAN_LIMIT};
pub use page::{clamp_page, clamp_page_size, last_page, Page, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use search::{encode_query, escape_like, Joint, MatchMode, SearchField, UserQuery, UserSearch};
pub use secret::Secret;
pub use sessions::{SessionPayload, UserSession};
pub use stats::{ClientStats, EndpointCount};
