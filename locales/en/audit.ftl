audit-title = Audit trail
audit-actor = Actor
audit-actor_hint = User ID or email
audit-action = Action
audit-any = Any
audit-organization = Organization
audit-target = Target
audit-target_user = Target user ID
audit-result = Result
audit-success = Success
audit-failure = Failed
audit-from = From (UTC)
audit-to = To (UTC)
audit-time = Time
audit-ip = IP address
audit-user_agent = Browser
audit-system = System
audit-empty = No entries match these filters.
audit-export_csv = Export CSV
audit-export_jsonl = Export JSON Lines

audit-intro = Every change made through this portal, and every refused attempt: who did what, and when.
audit-event = What happened
audit-when = When
audit-more_filters = More filters: target, dates
audit-details = Details
audit-action_key = Action key
audit-error_code = Error code
audit-target_id = Target ID
audit-someone = someone
audit-an_org = an organization
audit-did-other = { $outcome ->
    [tried] tried to make a change to { $target }
   *[done] made a change to { $target }
}
audit-name-other = Other change
audit-group-members = Members
audit-group-invitations = Invitations
audit-group-users = User directory
audit-group-profile = Profile
audit-group-security = Sign-in and security
audit-group-protection = Protection and upkeep
audit-why-not_allowed = They may not do this here.
audit-why-self = People may not do this to their own account.
audit-why-last_admin = An organization needs at least one administrator.
audit-why-csrf = The form came from an old or foreign page.
audit-why-busy = Logto was busy and asked the portal to wait.
audit-why-logto_down = Logto could not be reached or had a problem.
audit-why-unsupported = This Logto version cannot do this.
audit-why-role_type = That role cannot be given to people.
audit-why-not_member = The person is not a member of that organization.
audit-why-gone = It no longer existed.
audit-why-email_mismatch = The invitation was for another email address.
audit-why-password = The password was wrong.
audit-why-password_policy = The new password did not meet the password rules.
audit-why-reauthenticate = They had to confirm who they are first.
audit-why-in_use = Another account already uses it.
audit-why-invitation_state = The invitation was no longer open.
audit-why-too_often = Too many attempts in a short time.
audit-why-refused = Logto or the portal refused it.

audit-name-auth_sign_in = Signed in
audit-name-auth_sign_out = Signed out
audit-name-security_csrf_refused = Form from an old page refused
audit-name-security_access_denied = Page refused
audit-name-security_rate_limited = Paused after too many attempts
audit-name-member_add = Member added
audit-name-member_roles_change = Member roles changed
audit-name-member_roles_restore = Member roles restored
audit-name-member_remove = Member removed
audit-name-member_export = Members exported
audit-name-invitation_create = Invitation sent
audit-name-invitation_resend = Invitation resent
audit-name-invitation_revoke = Invitation revoked
audit-name-invitation_delete = Invitation deleted
audit-name-invitation_accept = Invitation accepted
audit-name-profile_update_basics = Name or username changed
audit-name-profile_update_profile = Profile details changed
audit-name-profile_update_custom = Additional details changed
audit-name-profile_password_change = Password changed
audit-name-profile_email_change = Email address changed
audit-name-profile_phone_change = Phone number changed
audit-name-profile_identity_unlink = Social account unlinked
audit-name-profile_delete_account = Own account deleted
audit-name-user_suspend = User suspended
audit-name-user_password_expire = Password expired
audit-name-user_unsuspend = User unsuspended
audit-name-user_delete = User deleted
audit-name-user_org_add = User added to an organization
audit-name-user_org_remove = User removed from an organization
audit-name-user_role_assign = Global role assigned
audit-name-user_role_remove = Global role removed
audit-name-user_export = Users exported
audit-name-security_totp_enrol = Authenticator app set up
audit-name-security_totp_remove = Authenticator app removed
audit-name-security_backup_codes_generate = Backup codes created
audit-name-security_passkey_remove = Passkey removed
audit-name-security_mfa_reset = Two-step sign-in reset
audit-name-security_session_end = Session ended
audit-name-security_sessions_end_others = Other sessions ended
audit-name-security_sessions_end_all = Signed out everywhere by an operator
audit-name-security_grant_revoke = App access removed
audit-name-security_token_create = Access token created
audit-name-security_token_rename = Access token renamed
audit-name-security_token_delete = Access token deleted
audit-name-security_identity_link = Social account linked
audit-name-security_avatar_upload = Profile picture uploaded
audit-name-security_reauthenticate = Identity confirmed again
audit-name-audit_prune = Old entries removed

audit-did-auth_sign_in = { $outcome ->
    [tried] tried to sign in
   *[done] signed in
}

audit-did-auth_sign_out = { $outcome ->
    [tried] tried to sign out
   *[done] signed out
}

audit-did-security_csrf_refused = { $outcome ->
    [tried] sent a form from an old or foreign page, which was refused
   *[done] sent a form from an old or foreign page, which was refused
}

audit-did-security_access_denied = { $outcome ->
    [tried] tried to open a page they may not see
   *[done] opened a page they may not see
}

audit-did-security_rate_limited = { $outcome ->
    [tried] was paused after too many attempts
   *[done] was paused after too many attempts
}

audit-did-member_add = { $outcome ->
    [tried] { $has_roles ->
        [yes] tried to add { $target } to { $org } as { $roles }
       *[no] tried to add { $target } to { $org }
    }
   *[done] { $has_roles ->
        [yes] added { $target } to { $org } as { $roles }
       *[no] added { $target } to { $org }
    }
}

audit-did-member_roles_change = { $outcome ->
    [tried] { $has_roles ->
        [yes] tried to give { $target } the roles { $roles } in { $org }
       *[no] tried to change the roles of { $target } in { $org }
    }
   *[done] { $has_roles ->
        [yes] gave { $target } the roles { $roles } in { $org }
       *[no] changed the roles of { $target } in { $org }
    }
}

audit-did-member_roles_restore = { $outcome ->
    [tried] tried to restore the roles of { $target } in { $org }
   *[done] restored the roles of { $target } in { $org }
}

audit-did-member_remove = { $outcome ->
    [tried] tried to remove { $target } from { $org }
   *[done] removed { $target } from { $org }
}

audit-did-member_export = { $outcome ->
    [tried] tried to export the members of { $org }
   *[done] exported the members of { $org }
}

audit-did-invitation_create = { $outcome ->
    [tried] { $has_roles ->
        [yes] tried to invite { $target } to { $org } as { $roles }
       *[no] tried to invite { $target } to { $org }
    }
   *[done] { $has_roles ->
        [yes] invited { $target } to { $org } as { $roles }
       *[no] invited { $target } to { $org }
    }
}

audit-did-invitation_resend = { $outcome ->
    [tried] tried to send the invitation to { $target } again
   *[done] sent the invitation to { $target } again
}

audit-did-invitation_revoke = { $outcome ->
    [tried] tried to revoke the invitation of { $target } to { $org }
   *[done] revoked the invitation of { $target } to { $org }
}

audit-did-invitation_delete = { $outcome ->
    [tried] tried to delete the invitation of { $target } to { $org }
   *[done] deleted the invitation of { $target } to { $org }
}

audit-did-invitation_accept = { $outcome ->
    [tried] { $has_roles ->
        [yes] tried to accept the invitation to { $org } as { $roles }
       *[no] tried to accept the invitation to { $org }
    }
   *[done] { $has_roles ->
        [yes] accepted the invitation to { $org } as { $roles }
       *[no] accepted the invitation to { $org }
    }
}

audit-did-profile_update_basics = { $outcome ->
    [tried] tried to change their name or username
   *[done] changed their name or username
}

audit-did-profile_update_profile = { $outcome ->
    [tried] tried to change their profile details
   *[done] changed their profile details
}

audit-did-profile_update_custom = { $outcome ->
    [tried] tried to change their additional details
   *[done] changed their additional details
}

audit-did-profile_password_change = { $outcome ->
    [tried] tried to change their password
   *[done] changed their password
}

audit-did-profile_email_change = { $outcome ->
    [tried] tried to change their email address
   *[done] changed their email address
}

audit-did-profile_phone_change = { $outcome ->
    [tried] tried to change their phone number
   *[done] changed their phone number
}

audit-did-profile_identity_unlink = { $outcome ->
    [tried] tried to unlink a social account
   *[done] unlinked a social account
}

audit-did-profile_delete_account = { $outcome ->
    [tried] tried to delete their own account
   *[done] deleted their own account
}

audit-did-user_suspend = { $outcome ->
    [tried] tried to suspend { $target }
   *[done] suspended { $target }
}

audit-did-user_password_expire = { $outcome ->
    [tried] tried to expire { $target }’s password
   *[done] expired { $target }’s password
}

audit-did-user_unsuspend = { $outcome ->
    [tried] tried to allow { $target } to sign in again
   *[done] allowed { $target } to sign in again
}

audit-did-user_delete = { $outcome ->
    [tried] tried to delete { $target }
   *[done] deleted { $target }
}

audit-did-user_org_add = { $outcome ->
    [tried] { $has_roles ->
        [yes] tried to add { $target } to { $org } as { $roles }
       *[no] tried to add { $target } to { $org }
    }
   *[done] { $has_roles ->
        [yes] added { $target } to { $org } as { $roles }
       *[no] added { $target } to { $org }
    }
}

audit-did-user_org_remove = { $outcome ->
    [tried] tried to remove { $target } from { $org }
   *[done] removed { $target } from { $org }
}

audit-did-user_role_assign = { $outcome ->
    [tried] { $has_roles ->
        [yes] tried to give { $target } the global role { $roles }
       *[no] tried to give { $target } a global role
    }
   *[done] { $has_roles ->
        [yes] gave { $target } the global role { $roles }
       *[no] gave { $target } a global role
    }
}

audit-did-user_role_remove = { $outcome ->
    [tried] { $has_roles ->
        [yes] tried to take the global role { $roles } from { $target }
       *[no] tried to take a global role from { $target }
    }
   *[done] { $has_roles ->
        [yes] took the global role { $roles } from { $target }
       *[no] took a global role from { $target }
    }
}

audit-did-user_export = { $outcome ->
    [tried] tried to export the user list
   *[done] exported the user list
}

audit-did-security_totp_enrol = { $outcome ->
    [tried] tried to set up an authenticator app
   *[done] set up an authenticator app
}

audit-did-security_totp_remove = { $outcome ->
    [tried] tried to remove their authenticator app
   *[done] removed their authenticator app
}

audit-did-security_backup_codes_generate = { $outcome ->
    [tried] tried to create new backup codes
   *[done] created new backup codes
}

audit-did-security_passkey_remove = { $outcome ->
    [tried] tried to remove a passkey
   *[done] removed a passkey
}

audit-did-security_mfa_reset = { $outcome ->
    [tried] tried to reset the two-step sign-in of { $target }
   *[done] reset the two-step sign-in of { $target }
}

audit-did-security_session_end = { $outcome ->
    [tried] tried to end a session
   *[done] ended a session
}

audit-did-security_sessions_end_others = { $outcome ->
    [tried] tried to sign out everywhere else
   *[done] signed out everywhere else
}

audit-did-security_sessions_end_all = { $outcome ->
    [tried] tried to sign { $target } out everywhere
   *[done] signed { $target } out everywhere
}

audit-did-security_grant_revoke = { $outcome ->
    [tried] tried to remove the access of an app
   *[done] removed the access of an app
}

audit-did-security_token_create = { $outcome ->
    [tried] tried to create an access token
   *[done] created an access token
}

audit-did-security_token_rename = { $outcome ->
    [tried] tried to rename an access token
   *[done] renamed an access token
}

audit-did-security_token_delete = { $outcome ->
    [tried] tried to delete an access token
   *[done] deleted an access token
}

audit-did-security_identity_link = { $outcome ->
    [tried] tried to link a social account
   *[done] linked a social account
}

audit-did-security_avatar_upload = { $outcome ->
    [tried] tried to upload a profile picture
   *[done] uploaded a profile picture
}

audit-did-security_reauthenticate = { $outcome ->
    [tried] tried to confirm their identity again
   *[done] confirmed their identity again
}

audit-did-audit_prune = { $outcome ->
    [tried] tried to remove old audit entries
   *[done] removed old audit entries
}
audit-group-orgs = Organizations
audit-name-org_create = Organization created
audit-name-org_update = Organization settings changed
audit-name-org_delete = Organization deleted
audit-name-org_jit_domain_add = Verified domain added
audit-name-org_jit_domain_remove = Verified domain removed
audit-name-org_jit_roles_set = Just-in-time roles set
audit-did-org_create = { $outcome ->
    [tried] tried to create the organization { $target }
   *[done] created the organization { $target }
}
audit-did-org_update = { $outcome ->
    [tried] tried to change the settings of { $target } ({ $fields })
   *[done] changed the settings of { $target } ({ $fields })
}
audit-did-org_delete = { $outcome ->
    [tried] tried to delete the organization { $target }
   *[done] deleted the organization { $target }
}
audit-did-org_jit_domain_add = { $outcome ->
    [tried] tried to make @{ $domain } a verified domain of { $target }
   *[done] made @{ $domain } a verified domain of { $target }
}
audit-did-org_jit_domain_remove = { $outcome ->
    [tried] tried to remove the verified domain @{ $domain } from { $target }
   *[done] removed the verified domain @{ $domain } from { $target }
}
audit-did-org_jit_roles_set = { $outcome ->
    [tried] { $has_roles ->
        [yes] tried to set that people joining { $target } by themselves get { $roles }
       *[no] tried to set that people joining { $target } by themselves get no role
    }
   *[done] { $has_roles ->
        [yes] set that people joining { $target } by themselves get { $roles }
       *[no] set that people joining { $target } by themselves get no role
    }
}
