users-title = Users
users-intro = Everyone with an account in Logto, newest first. Find people, check their organizations and recent sign-ins, and look after their accounts.
users-suspended = Suspended
users-active = Active
users-end_logto_sessions = Also sign them out of every app they are signed in to through Logto, so their next sign-in carries the change
users-end_logto_sessions_unavailable = Signing them out of other apps too needs Logto { $version } or later: until then apps see the change when their tokens are renewed.
users-back_to_list = ← All users

users-field-id = User ID
users-field-email = Primary email
users-field-phone = Phone
users-field-username = Username
users-field-name = Name

users-mode-contains = contains
users-mode-starts = starts with
users-mode-exact = is exactly
users-mode-regex = matches a pattern

users-search-label = Search users
users-search-quick = Search
users-search-quick_hint = Finds the text anywhere in the name, username, email, phone or ID, exactly as you type it.
users-search-advanced = Advanced search and filters
users-search-advanced_hint = Each condition checks one field. Several exact values for the same field find any of them; otherwise use one condition per field.
users-search-condition_n = Condition { $n }
users-search-field = Field
users-search-mode = Match
users-search-value = Value
users-search-remove = Remove
users-search-add = Add condition
users-search-joint = Combine conditions
users-search-joint_all = Match all
users-search-joint_any = Match any
users-search-case_sensitive = Case-sensitive
users-search-case_hint = Applies to every condition and to the search box.
users-search-apply = Apply
users-search-clear = Clear search
users-search-rejected = This search could not run. Check the conditions and the filter, then try again.
users-search-rejected_here = This pattern is not valid.
users-search-condition_problem = Condition { $n } ({ $field }): { $problem }
users-search-one_per_field = Logto accepts one condition per field, except several “is exactly” values. Remove this condition or change its field.

users-filters-legend = Leave people out
users-filters-not_in_org = Not in organization
users-filters-org_id_hint = Organization ID (there are too many organizations to list).
users-filters-without_role = Without global role
users-filters-role_id_hint = Role ID (there are too many roles to list).
users-filters-hint = Choose one: people outside an organization, or people without a role.
users-search-rejected_pattern = This search could not run: a pattern in the conditions is not valid. Correct the marked condition.
users-filters-exclude = Leave out
users-filters-nobody = Nobody (no filter)
users-filters-one_at_a_time = Choose only one: people outside an organization, or people without a role. Both together cannot be searched.

users-results-status = { $count ->
    [one] Showing { $from }–{ $to } of { $count } user.
   *[other] Showing { $from }–{ $to } of { $count } users.
}
users-results-none_status = No users on this page ({ $total } in total).
users-results-blocked_status = No results: the search needs a correction.
users-results-blocked = Correct the search above to see users.
users-results-beyond_end = This page is past the end of the list.
users-results-last_page = Go to the last page
users-results-no_match = No users match this search.
users-results-no_users = There are no users yet.

users-table-caption = Users, newest first
users-table-avatar = Avatar
users-table-created = Created
users-table-last_sign_in = Last sign-in
users-table-status = Status

users-export-hint = All pages of the current search, as CSV.

users-detail-profile = Profile
users-detail-password = Has a password
users-detail-updated = Updated
users-detail-custom_data = Custom data
users-detail-identities = Linked social accounts
users-detail-no_identities = No social accounts are linked.
users-detail-provider = Provider
users-detail-provider_id = ID at the provider
users-detail-orgs = Organizations
users-detail-no_orgs = Not a member of any organization.
users-detail-org = Organization
users-detail-org_roles = Roles in the organization
users-detail-roles = Global roles
users-detail-no_roles = No global roles.
users-detail-role = Role
users-detail-description = Description
users-detail-events = Recent activity in Logto
users-detail-events_hint = Sign-ins, registrations, password resets and tokens, newest first. Logto does not link failed password attempts to a person (they are not identified yet), so those are not listed here.
users-detail-no_events = Logto has no recorded activity for this user.
users-detail-account = Account

users-profile-given_name = Given name
users-profile-middle_name = Middle name
users-profile-family_name = Family name
users-profile-nickname = Nickname
users-profile-preferred_username = Preferred username
users-profile-profile = Profile page
users-profile-website = Website
users-profile-gender = Gender
users-profile-birthdate = Birth date
users-profile-zoneinfo = Time zone
users-profile-locale = Locale
users-profile-address = Address

users-event-time = Time
users-event-event = Event
users-event-result = Result
users-event-ip = IP address
users-event-user_agent = Browser
users-event-succeeded = Succeeded
users-event-failed = Failed
users-event-sign_in = Sign-in
users-event-sign_in_step = Sign-in step
users-event-register = Registration
users-event-register_step = Registration step
users-event-forgot_password = Password reset
users-event-forgot_password_step = Password reset step
users-event-interaction = Sign-in session
users-event-token = Token issued
users-event-revoke = Token revoked
users-event-other = Other event

users-suspend-title = Suspend { $name }?
users-suspend-effect = Logto signs { $name } out everywhere at once: it revokes all their sessions and tokens. They cannot sign in to any application until an operator unsuspends them.
users-suspend-keeps = Their profile, organizations and roles stay as they are.
users-suspend-button = Suspend
users-suspend-hint = Signs the user out everywhere and blocks sign-in.
users-suspend-done = { $name } is suspended and signed out everywhere.

users-unsuspend-title = Unsuspend { $name }?
users-unsuspend-effect = { $name } can sign in again. Sessions ended by the suspension do not come back: they sign in anew.
users-unsuspend-button = Unsuspend
users-unsuspend-hint = Allows the user to sign in again.
users-unsuspend-done = { $name } can sign in again.

users-delete-title = Delete { $name }?
users-delete-effect = Logto deletes { $name } for good: profile, linked accounts, organization memberships and roles, and the invitations they sent or accepted. Their sessions end now.
users-delete-final = This cannot be undone.
users-delete-type_word = Type { $word } to confirm
users-delete-mismatch = That does not match. Type { $word } exactly to delete this user.
users-delete-button = Delete user
users-delete-hint = Removes the account and everything attached to it, permanently.
users-delete-done = { $name } was deleted.

users-orgs-no_roles = no roles
users-orgs-remove_link = Remove
users-orgs-remove_title = Remove { $name } from { $org }?
users-orgs-remove_effect = { $name } leaves { $org } and loses their roles there ({ $roles }). Applications see the change in the next token they get for { $org }.
users-orgs-remove_button = Remove from organization
users-orgs-removed = { $name } was removed from { $org }.
users-orgs-add_heading = Add to an organization
users-orgs-add_hint = { $name } becomes a member with the roles you tick (none ticked: a member without roles). Applications see the membership in their next token.
users-orgs-add_button = Add to organization
users-orgs-choose_option = Choose an organization
users-orgs-choose = Choose an organization to add the user to.
users-orgs-added = { $name } was added to { $org }.
users-orgs-roles_failed = { $name } was added to { $org }, but Logto refused the roles. Check the roles and add them from the organization's member page.

users-roles-remove_link = Remove
users-roles-remove_title = Remove the role { $role } from { $name }?
users-roles-remove_effect = { $name } loses the global role { $role } and the permissions it grants, from the next token they get.
users-roles-operator_note = This role makes its holder an operator of this portal: they lose access to these pages.
users-roles-remove_button = Remove role
users-roles-removed = { $name } no longer has the role { $role }.
users-roles-assign_heading = Assign a global role
users-roles-assign_hint = Global roles grant API permissions across every organization and application, from the user's next token. The role { $role } also makes the user an operator of this portal.
users-roles-assign_button = Assign role
users-roles-choose_option = Choose a role
users-roles-choose = Choose a role to assign.
users-roles-assigned = { $name } now has the role { $role }.

users-self-explain = This is your own account. You cannot suspend or delete it here: you would lock yourself out at once. Ask another operator.
users-self-suspend = You cannot suspend your own account: Logto would end your session at once and you could not undo it. Ask another operator.
users-self-delete = You cannot delete your own account here. Ask another operator.
users-self-operator_role = You cannot remove the operator role from yourself: you would lose access to these pages at once. Ask another operator.

users-error-missing_reference = The organization or role no longer exists in Logto. Reload the page and choose again.
users-error-not_member = The user is not a member of that organization (any more).
users-error-role_type = That role cannot be given to users (it is missing or meant for machine-to-machine apps).
users-error-gone = Logto no longer has this (the user, organization or role was removed meanwhile). Reload the page.

## The Security section of a user's page (src/web/users/security.rs) and its actions
users-security-title = Security
users-security-mfa = Two-step sign-in
users-security-sessions = Signed-in devices
users-security-sessions_missing = Their Logto sessions can be listed and signed out here with Logto { $version } or later.
users-security-portal_sessions = { $count ->
    [0] Not signed in to this portal.
    [one] Signed in to this portal in { $count } browser.
   *[other] Signed in to this portal in { $count } browsers.
}
users-security-no_sessions = No device is signed in through Logto.
users-security-end_all = Sign out everywhere
users-security-end_all_hint = Ends their Logto sessions and their sessions in this portal. They can sign in again.
users-security-no_tokens = No personal access tokens.
users-security-self = This is your own account: reset your two-step sign-in or sign out your other browsers on your own security page.
users-security-own_page = Your account security
users-security-session_gone = That session is no longer there. The list shows the sessions as they are now.
users-security-session_ended = { $name } was signed out of that device.
users-security-all_ended = { $name } is signed out everywhere.
users-mfa_reset-title = Reset the two-step sign-in of { $name }?
users-mfa_reset-effect = This removes every two-step method of { $name }: their authenticator app, backup codes and passkeys.
users-mfa_reset-after = Until they set up new ones, their password alone signs them in (or Logto asks them to set one up at their next sign-in, if the tenant requires two-step sign-in).
users-mfa_reset-button = Reset two-step sign-in
users-mfa_reset-hint = For someone who lost their authenticator and backup codes. Make sure it is really them asking.
users-mfa_reset-done = { $count ->
    [one] Removed { $count } two-step method of { $name }.
   *[other] Removed { $count } two-step methods of { $name }.
}
users-self-mfa_reset = You cannot reset your own two-step sign-in here. Change it on your own security page.
users-self-sessions = You cannot sign yourself out everywhere here. Sign out your other browsers on your own security page.

users-password_expire-title = Expire { $name }’s password?
users-password_expire-effect = { $name } can still sign in with their current password once: at their next sign-in they must choose a new one before they continue. Nothing else changes.
users-password_expire-no_password = { $name } has no password (they sign in another way), so there is nothing to expire.
users-password_expire-button = Expire password
users-password_expire-hint = Asks for a new password at the next sign-in.
users-password_expire-done = { $name }’s password is expired: they choose a new one at their next sign-in.
users-password_expire-missing = Expiring a password needs Logto { $version } or later.
users-error-expiry_off = Password expiry is turned off for this tenant. Turn it on in Logto Console (Sign-in experience → Password policy → Password expiration), then try again.

users-exports-offer_title = Prepare the export in the background
users-exports-offer_body = { $total } people match this search: too many to download at once. The portal prepares the file in the background (it goes on if you leave the page or the portal restarts) and keeps it for a day.
users-exports-prepare = Prepare the file
users-exports-title = Directory export
users-exports-started = Asked for
users-exports-queued = Waiting to start…
users-exports-running = { $done } of { $total } people read…
users-exports-ready = { $total ->
    [one] Ready: 1 person.
   *[other] Ready: { $total } people.
}
users-exports-leave_hint = This page updates itself. You can leave it and come back: the file is prepared in the background.
users-exports-download = Download
users-exports-kept_until = The file is deleted
users-exports-back = Back to the directory
jobs-gave_up = This stopped after failing again and again (the account service or the portal's database did not answer). Start it again later.
users-exports-no_longer_operator = The export stopped: the person who asked for it is no longer an operator.
