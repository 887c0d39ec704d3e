//! `/tenant`: the tenant at a glance, for operators, read-only. One page with a tab per
//! section (applications, API resources, global roles, organization roles, connectors,
//! enterprise SSO connectors); each section is a paginated list and the one region htmx swaps
//! (`?section=…&page=…`), from the tabs as from the pager, the tab bar following out of band;
//! without JavaScript the tabs and the pager are plain links. No secret reaches this page: the
//! typed client never reads an application's `secret` or a connector's or SSO connector's
//! `config` (`crate::logto::tenant`).

use askama::Template;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::Response,
    routing::get,
    Router,
};
use serde::Deserialize;

use crate::logto::{
    ApiResource, AppSummary, ConnectorType, Feature, LogtoError, OrgRoleSummary, RoleSummary,
    RoleType, SocialConnector, SsoConnectorSummary,
};
use crate::web::context::PageCtx;
use crate::web::error::{logto_view, AppResult};
use crate::web::extract::{Htmx, Operator};
use crate::web::format::{Dates, Moment};
use crate::web::i18n::Tr;
use crate::web::pager::{PageParams, Pager};
use crate::web::parts::Tab;
use crate::web::AppState;

const REGION: &str = "#tenant-section";

pub fn routes() -> Router<AppState> {
    Router::new().route("/tenant", get(page))
}

/// The sections of `/tenant`, each a tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Applications,
    Resources,
    Roles,
    OrgRoles,
    Connectors,
    Sso,
}

impl Section {
    const ALL: [Section; 6] = [
        Section::Applications,
        Section::Resources,
        Section::Roles,
        Section::OrgRoles,
        Section::Connectors,
        Section::Sso,
    ];

    fn parse(s: Option<&str>) -> Section {
        match s.map(str::trim) {
            Some("resources") => Section::Resources,
            Some("roles") => Section::Roles,
            Some("org-roles") => Section::OrgRoles,
            Some("connectors") => Section::Connectors,
            Some("sso") => Section::Sso,
            _ => Section::Applications,
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Section::Applications => "applications",
            Section::Resources => "resources",
            Section::Roles => "roles",
            Section::OrgRoles => "org-roles",
            Section::Connectors => "connectors",
            Section::Sso => "sso",
        }
    }

    fn label_key(self) -> &'static str {
        match self {
            Section::Applications => "tenant.tab_applications",
            Section::Resources => "tenant.tab_resources",
            Section::Roles => "tenant.tab_roles",
            Section::OrgRoles => "tenant.tab_org_roles",
            Section::Connectors => "tenant.tab_connectors",
            Section::Sso => "tenant.tab_sso",
        }
    }
}

#[derive(Debug, Deserialize, Default)]
struct TenantQuery {
    section: Option<String>,
    #[serde(flatten)]
    paging: PageParams,
}

pub struct AppRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub created: Option<Moment>,
}

pub struct ResourceRow {
    pub id: String,
    pub name: String,
    pub indicator: String,
    pub scopes: Vec<String>,
}

pub struct RoleRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub users: Option<u64>,
    pub applications: Option<u64>,
}

pub struct OrgRoleRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    /// Organization scopes, then API resource scopes as `resource: scope`.
    pub scopes: Vec<String>,
}

pub struct ConnectorRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// What this connector makes possible in the portal.
    pub enables: String,
}

pub struct SsoRow {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub domains: Vec<String>,
    pub sync_profile: bool,
}

/// The page; htmx swaps its `partial` (the section's list and pager; for htmx also the tab
/// bar, out of band, so the current tab follows).
#[derive(Template)]
#[template(path = "tenant/page.html", blocks = ["partial"])]
struct TenantPage {
    ctx: PageCtx,
    section: Section,
    tabs: Vec<Tab>,
    apps: Vec<AppRow>,
    resources: Vec<ResourceRow>,
    roles: Vec<RoleRow>,
    org_roles: Vec<OrgRoleRow>,
    connectors: Vec<ConnectorRow>,
    sso: Vec<SsoRow>,
    /// This Logto does not declare `GET /api/sso-connectors`: said instead of a table.
    sso_undeclared: bool,
    error: Option<String>,
    canonical: String,
    pager: Pager,
    /// An htmx request: the tab bar comes along out of band.
    oob: bool,
}
crate::page_template!(TenantPage);

impl TenantPage {
    fn is(&self, s: &str) -> bool {
        self.section.slug() == s
    }

    fn is_empty(&self) -> bool {
        self.apps.is_empty()
            && self.resources.is_empty()
            && self.roles.is_empty()
            && self.org_roles.is_empty()
            && self.connectors.is_empty()
            && self.sso.is_empty()
    }
}

fn app_kind(t: &Tr, kind: &str) -> String {
    let key = match kind {
        "Traditional" => "tenant.app_traditional",
        "SPA" => "tenant.app_spa",
        "Native" => "tenant.app_native",
        "MachineToMachine" => "tenant.app_m2m",
        "Protected" => "tenant.app_protected",
        "SAML" => "tenant.app_saml",
        // A type newer than this portal: Logto's own word.
        other => return other.to_string(),
    };
    t.t(key)
}

fn app_row(a: AppSummary, dates: &Dates) -> AppRow {
    AppRow {
        kind: app_kind(&dates.t, &a.app_type),
        created: a.created_at.map(|ms| dates.moment(ms)),
        id: a.id,
        name: a.name,
    }
}

fn resource_row(r: ApiResource) -> ResourceRow {
    ResourceRow {
        scopes: r.scopes.into_iter().map(|s| s.name).collect(),
        id: r.id,
        name: r.name,
        indicator: r.indicator,
    }
}

fn role_kind(t: &Tr, kind: &RoleType) -> String {
    t.t(match kind {
        RoleType::MachineToMachine => "tenant.role_m2m",
        _ => "tenant.role_user",
    })
}

fn role_row(r: RoleSummary, t: &Tr) -> RoleRow {
    RoleRow {
        kind: role_kind(t, &r.r#type),
        description: r.description.unwrap_or_default(),
        users: r.users_count,
        applications: r.applications_count,
        id: r.id,
        name: r.name,
    }
}

fn org_role_row(r: OrgRoleSummary, t: &Tr) -> OrgRoleRow {
    let scopes = r
        .scopes
        .into_iter()
        .map(|s| s.name)
        .chain(
            r.resource_scopes
                .into_iter()
                .map(|s| format!("{}: {}", s.resource.name, s.name)),
        )
        .collect();
    OrgRoleRow {
        kind: role_kind(t, &r.r#type),
        description: r.description.unwrap_or_default(),
        scopes,
        id: r.id,
        name: r.name,
    }
}

fn connector_row(c: SocialConnector, t: &Tr, lang: &str) -> ConnectorRow {
    let (kind, enables) = match c.kind {
        ConnectorType::Email => ("tenant.connector_email", "tenant.enables_email"),
        ConnectorType::Sms => ("tenant.connector_sms", "tenant.enables_sms"),
        ConnectorType::Social => ("tenant.connector_social", "tenant.enables_social"),
        ConnectorType::Other => ("tenant.connector_other", "tenant.enables_other"),
    };
    ConnectorRow {
        name: c.display_name(lang).to_string(),
        kind: t.t(kind),
        enables: t.t(enables),
        id: c.id,
    }
}

/// The identity provider in words: brand names, the same in every language; a provider newer
/// than this portal in Logto's own words.
fn sso_provider(c: &SsoConnectorSummary) -> String {
    match c.provider_name.as_str() {
        "OIDC" => "OIDC",
        "SAML" => "SAML",
        "AzureAD" => "Microsoft Entra ID (SAML)",
        "AzureAdOidc" => "Microsoft Entra ID (OIDC)",
        "GoogleWorkspace" => "Google Workspace",
        "Okta" => "Okta",
        _ => return c.name.clone().unwrap_or_else(|| c.provider_name.clone()),
    }
    .to_string()
}

fn sso_row(c: SsoConnectorSummary) -> SsoRow {
    SsoRow {
        provider: sso_provider(&c),
        id: c.id,
        name: c.connector_name,
        domains: c.domains,
        sync_profile: c.sync_profile,
    }
}

/// One section's rows (the other lists stay empty) and `Total-Number`.
#[derive(Default)]
struct Loaded {
    apps: Vec<AppRow>,
    resources: Vec<ResourceRow>,
    roles: Vec<RoleRow>,
    org_roles: Vec<OrgRoleRow>,
    connectors: Vec<ConnectorRow>,
    sso: Vec<SsoRow>,
    sso_undeclared: bool,
    total: u64,
}

async fn load(
    state: &AppState,
    ctx: &PageCtx,
    section: Section,
    page: u32,
    page_size: u32,
) -> Result<Loaded, LogtoError> {
    let t = &ctx.t;
    Ok(match section {
        Section::Applications => {
            let dates = Dates::new(ctx.t, state.clock.now_ms());
            let p = state.logto.list_applications(page, page_size).await?;
            Loaded {
                apps: p.items.into_iter().map(|a| app_row(a, &dates)).collect(),
                total: p.total,
                ..Loaded::default()
            }
        }
        Section::Resources => {
            let p = state.logto.list_resources(page, page_size).await?;
            Loaded {
                resources: p.items.into_iter().map(resource_row).collect(),
                total: p.total,
                ..Loaded::default()
            }
        }
        Section::Roles => {
            let p = state.logto.list_all_roles(page, page_size).await?;
            Loaded {
                roles: p.items.into_iter().map(|r| role_row(r, t)).collect(),
                total: p.total,
                ..Loaded::default()
            }
        }
        Section::OrgRoles => {
            let p = state
                .logto
                .list_org_roles_with_scopes(page, page_size)
                .await?;
            Loaded {
                org_roles: p.items.into_iter().map(|r| org_role_row(r, t)).collect(),
                total: p.total,
                ..Loaded::default()
            }
        }
        Section::Connectors => {
            // Logto answers every connector at once: the portal pages them itself.
            let all = state.logto.list_connectors().await?;
            let total = all.len() as u64;
            let skip = (page.saturating_sub(1) as usize).saturating_mul(page_size as usize);
            let rows = all
                .into_iter()
                .skip(skip)
                .take(page_size as usize)
                .map(|c| connector_row(c, t, ctx.lang.code()))
                .collect();
            Loaded {
                connectors: rows,
                total,
                ..Loaded::default()
            }
        }
        Section::Sso if !state.logto.capabilities().has(Feature::SsoConnectors) => Loaded {
            sso_undeclared: true,
            ..Loaded::default()
        },
        Section::Sso => {
            let p = state.logto.list_sso_connectors(page, page_size).await?;
            Loaded {
                sso: p.items.into_iter().map(sso_row).collect(),
                total: p.total,
                ..Loaded::default()
            }
        }
    })
}

/// `GET /tenant?section=&page=&page_size=`
async fn page(
    State(state): State<AppState>,
    _operator: Operator,
    ctx: PageCtx,
    htmx: Htmx,
    Query(query): Query<TenantQuery>,
) -> AppResult<Response> {
    let section = Section::parse(query.section.as_deref());
    let (page, page_size) = (query.paging.page(), query.paging.page_size());
    let (status, error, loaded) = match load(&state, &ctx, section, page, page_size).await {
        Ok(loaded) => (StatusCode::OK, None, loaded),
        Err(e) => {
            tracing::warn!(error = %e, section = section.slug(), "tenant page: Logto failed");
            let (status, _, key) = logto_view(&e);
            let text = format!("{} {}", ctx.t.t("tenant.load_failed"), ctx.t.t(key));
            (status, Some(text), Loaded::default())
        }
    };
    let tabs = Section::ALL
        .iter()
        .map(|s| {
            Tab::new(
                ctx.t.t(s.label_key()),
                format!("/tenant?section={}", s.slug()),
            )
            .current_if(*s == section)
            .swapping(REGION)
        })
        .collect();
    let pager = Pager::new(
        "/tenant",
        page,
        page_size,
        loaded.total,
        vec![("section".into(), section.slug().into())],
        REGION,
    );
    let canonical = pager.href(page);
    let view = TenantPage {
        ctx,
        section,
        tabs,
        apps: loaded.apps,
        resources: loaded.resources,
        roles: loaded.roles,
        org_roles: loaded.org_roles,
        connectors: loaded.connectors,
        sso: loaded.sso,
        sso_undeclared: loaded.sso_undeclared,
        error,
        canonical: canonical.clone(),
        pager,
        oob: htmx.fragment,
    };
    let mut resp = htmx.page_at(&view, &canonical)?;
    *resp.status_mut() = status;
    Ok(resp)
}
