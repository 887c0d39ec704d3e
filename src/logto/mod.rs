//! Typed client for the Logto Management API.
//!
//! One [`LogtoClient`] per process: it caches the machine-to-machine token,
//! keeps its outgoing requests within the budget (shared by every replica, [`SharedBudget`]),
//! bounds them, retries what is safe to retry and
//! counts what it does ([`LogtoClient::stats`]). Facts about Logto's behaviour
//! come from `logto-api.md` and recordings of a real Logto 1.37.1.

mod access_tokens;
mod applications;
mod budget;
mod capabilities;
mod check;
mod client;
mod config;
mod error;
mod id;
mod identities;
mod invitations;
mod logs;
mod member_index;
mod mfa;
mod models;
mod org_admin;
mod organizations;
mod page;
mod retry;
mod route;
mod search;
mod secret;
mod sessions;
mod stats;
mod stream;
mod tenant;
mod token;
mod users;

pub use applications::{Application, OidcClientMetadata};
pub use budget::{turn_in, BudgetAnswer, BudgetAsk, SharedBudget, SEND_MARGIN};
pub use capabilities::{
    Capabilities, Feature, Source as CapabilitySource, Undeclared, OLDEST_SUPPORTED,
};
pub use check::{CheckLine, CheckReport, SignInApp};
pub use client::{LogtoClient, LogtoClientConfig, OPENAPI_PATH};
pub use error::LogtoError;
pub use id::{is_valid as id_is_valid, InvalidId, LogtoId};
pub use identities::IDENTITY_IN_USE;
pub use logs::LogQuery;
pub use member_index::{MemberChange, MemberRoles, INDEX_LIMIT, INDEX_TTL};
pub use models::{
    Address, BackupCodes, CodeTarget, ConnectorType, FeaturedUser, Identity, Invitation,
    InvitationFilter, InvitationStatus, Log, LogResult, MfaFactor, MfaVerification, NewAccessToken,
    NewInvitation, NewUser, OrgMember, OrgRole, Organization, PersonalAccessToken, Role, RoleRef,
    RoleType, SocialConnector, TotpEnrolment, User, UserOrganization, UserPatch, UserProfile,
};
pub use org_admin::{JitEmailDomain, NewOrganization, OrganizationPatch, SsoConnector};
pub use organizations::{MemberQuery, OrgQuery, RoleHolders, RolePage, ROLE_SCAN_LIMIT};
pub use page::{clamp_page, clamp_page_size, last_page, Page, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use search::{encode_query, escape_like, Joint, MatchMode, SearchField, UserQuery, UserSearch};
pub use secret::Secret;
pub use sessions::{SessionPayload, SignInContext, UserGrant, UserSession};
pub use stats::{BudgetUse, ClientStats, EndpointCount};
pub use tenant::{ApiResource, AppSummary, OrgRoleSummary, RoleSummary, SsoConnectorSummary};
