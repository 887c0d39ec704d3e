app-name = Account portal
app-skip = Skip to content
nav-users = Users
nav-orgs = Organizations
nav-audit = Audit trail
nav-tenant = Tenant
nav-profile = My profile
nav-sign_in = Sign in
nav-sign_out = Sign out
nav-language = Language
nav-org_switcher = Switch organization
nav-main = Main navigation
nav-signed_in_as = Signed in as { $name }
common-loading = Loading…
common-retry = Try again
common-save = Save
common-cancel = Cancel
common-search = Search
common-actions = Actions
common-none = —
common-yes = Yes
common-no = No
common-back = Back
common-request_id = Request ID
common-page_of = { $from }–{ $to } of { $total }
common-page_size = Rows per page
common-first = First
common-prev = Previous
common-next = Next
common-last = Last
common-go_to_page = Go to page
common-go = Go
common-pagination = Pagination
common-never = Never
common-export_csv = Export CSV
common-wait_seconds = { $count ->
    [one] { $count } second
   *[other] { $count } seconds
}
common-wait_minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
common-too_many_attempts = Too many attempts. Try again in { $wait }.
error-too_many_title = Too many attempts
error-title = Something went wrong
error-not_found_title = Not found
error-not_found = This page does not exist, or you do not have access to it.
error-forbidden_title = Access denied
error-forbidden = Your account does not have access to this page. If you think it should, ask your organization's administrator or the team that runs this portal.
error-csrf_title = Your form expired
error-csrf = This form was not accepted because its security token is missing or out of date. Reload the page and try again.
error-bad_request_title = That request was not understood
error-logto_unavailable_title = Logto is not reachable
error-logto_unavailable = The identity service (Logto) did not answer in time. Nothing was changed. Try again in a moment.
error-logto_rate_limited = Logto is receiving too many requests right now. Nothing was changed. Wait a few seconds and try again.
error-logto_failed = Logto could not complete the request. Nothing was changed unless the page says otherwise.
error-logto_unsupported = The Logto server this portal uses does not offer this yet. A newer Logto release brings it.
error-logto_auth = The portal could not sign in to the identity service. The team that runs this portal needs to check its connection settings.
error-internal = An unexpected error happened on our side. Nothing was changed unless the page says otherwise.
error-report = If this keeps happening, give this request ID to your organization's administrator or the team that runs this portal:
error-home = Go to the start page
error-sign_in_again = Your session has ended. Please sign in again.
error-too_large = The submitted data is too large.

parts-actions_for = Actions for { $name }
parts-tabs = Sections
parts-tab_members = Members
parts-tab_invitations = Invitations
parts-tab_settings = Settings
auth-signed_out_title = You are signed out
auth-signed_out = You have been signed out of the portal and of Logto.
auth-sign_in_again = Sign in again
auth-callback_failed_title = Sign-in did not complete
auth-callback_failed = The sign-in could not be completed. This happens when the sign-in link was used twice, took too long, or was changed.
auth-try_again = Try again
auth-denied = Logto reported: the sign-in was cancelled or refused.
auth-suspended = This account is suspended. Contact your administrator.
auth-welcome_title = Welcome
auth-welcome = Sign in with your Logto account to manage your profile, your organizations or your users.
health-ok = ok
time-just_now = just now
time-minutes_ago = { $count ->
    [one] { $count } minute ago
   *[other] { $count } minutes ago
}
time-hours_ago = { $count ->
    [one] { $count } hour ago
   *[other] { $count } hours ago
}
time-days_ago = { $count ->
    [one] { $count } day ago
   *[other] { $count } days ago
}
time-in_minutes = { $count ->
    [one] in { $count } minute
   *[other] in { $count } minutes
}
time-in_hours = { $count ->
    [one] in { $count } hour
   *[other] in { $count } hours
}
time-in_days = { $count ->
    [one] in { $count } day
   *[other] in { $count } days
}
