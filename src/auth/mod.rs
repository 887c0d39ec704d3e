//! Sign-in, sessions and access rules.
pub mod access;
pub mod oidc;
pub mod revocation;
pub mod session;
