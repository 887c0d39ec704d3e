security-title = Account security
security-intro = Two-step verification, access tokens and the ways into your account, in one place.
security-back_to_profile = Back to your profile
security-link = Account security: two-step verification and access tokens
security-added = added
security-remove = Remove
security-remove_menu = Remove…

security-proof-title = Confirm it is you
security-proof-password_why = Enter your current password to see and change your account security. You will not be asked again for 10 minutes.
security-proof-sign_in_why = To see and change your account security, sign in again. It counts for 10 minutes.
security-proof-continue = Continue

security-totp-title = Authenticator app
security-totp-name = Authenticator app
security-totp-set_up = Set up an authenticator app
security-totp-replace = Replace
security-totp-none = No authenticator app yet. With one, signing in asks for a code from your phone as well as your password.
security-totp-is_set = An authenticator app is set up.
security-totp-step_scan = Scan this code with your authenticator app (Google Authenticator, 1Password, Authy and others).
security-totp-step_type = Or type this key into the app:
security-totp-qr_label = QR code to add this account to an authenticator app
security-totp-code_label = The 6-digit code your app shows now
security-totp-confirm = Turn on
security-totp-wrong_code = That code does not match. Check that the key was typed correctly and that your phone's time is right, then enter the newest code.
security-totp-expired = Start setting up the authenticator app again: the key was not kept.
security-totp-added = Your authenticator app is set up. Signing in now asks for one of its codes.
security-totp-removed = The authenticator app was removed.
security-totp-remove_question = Remove the authenticator app? Signing in will no longer ask for its codes.

security-backup-title = Backup codes
security-backup-make = Make backup codes
security-backup-regenerate = Make new codes
security-backup-made = New backup codes are ready. Earlier codes no longer work.
security-backup-shown_once = Keep these codes somewhere safe. Each works once, if you lose your phone. They are shown only now.
security-backup-download = Download as text
security-backup-download_gone = The codes can be downloaded only once, right after they are made. Make new codes if you need them again.
security-backup-left = { $count ->
    [one] { $count } unused code left.
   *[other] { $count } unused codes left.
}
security-backup-none = No backup codes yet.
security-backup-needs_other = Set up an authenticator app first: backup codes work together with it.
security-backup-file_whose = Backup codes for { $account } at { $product }
security-backup-file_when = Made on { $when }
security-backup-file_once = Each code works once. Keep this file somewhere safe.

security-passkeys-title = Passkeys
security-passkeys-added_at_sign_in = Passkeys are added when you sign in, on the device you want to use. They are listed here so you can remove ones you no longer use.
security-passkeys-unnamed = Passkey
security-passkeys-removed = The passkey was removed.
security-passkeys-remove_question = Remove the passkey { $name }? It will no longer sign you in.

security-tokens-title = Personal access tokens
security-tokens-intro = Tokens let your own scripts and tools act as you. Treat each like a password.
security-tokens-none = No tokens yet.
security-tokens-new = New token
security-tokens-name = Name
security-tokens-expiry = Expires after
security-tokens-days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}
security-tokens-never = Never
security-tokens-expired = Expired
security-tokens-create = Create token
security-tokens-created = Token created. Copy it now: it is shown only this once.
security-tokens-value_label = The token { $name }
security-tokens-shown_once = Shown only now. Select it and copy it somewhere safe.
security-tokens-copy = Copy
security-tokens-copied = Copied
security-tokens-created_col = Created
security-tokens-expires_col = Expires
security-tokens-rename = Rename
security-tokens-rename_label = New name for { $name }
security-tokens-renamed = Token renamed to { $name }.
security-tokens-delete = Delete
security-tokens-delete_menu = Delete…
security-tokens-delete_question = Delete the token { $name }? Anything using it stops working.
security-tokens-deleted = The token { $name } was deleted.
security-tokens-name_required = Give the token a name.
security-tokens-name_too_long = A name has at most { $max } characters.

security-sessions-missing = Signed-in devices can be listed and signed out here with Logto { $version } or later.
security-grants-missing = Apps you allowed to use your account can be listed and revoked here with Logto { $version } or later.

security-sessions-title = Signed-in devices
security-sessions-none = No devices are signed in.
security-sessions-signed_in = signed in
security-sessions-browser_on = { $browser } on { $os }
security-sessions-unknown_device = Unknown browser
security-sessions-end = Sign out
security-sessions-end_menu = Sign out…
security-sessions-end_question = Sign out { $device }? It will have to sign in again.
security-sessions-ended = That device was signed out.
security-sessions-end_others = Sign out everywhere else
security-sessions-others_ended = You were signed out everywhere else. This browser stays signed in.
security-sessions-portal_elsewhere = { $count ->
    [0] You are signed in to this portal only in this browser.
    [one] You are also signed in to this portal in { $count } other browser.
   *[other] You are also signed in to this portal in { $count } other browsers.
}
security-sessions-this_device = This device
security-portal-title = Portal sessions
security-portal-this_session = This session
security-portal-last_active = last active
security-portal-end_question = Sign out { $device } from this portal? It will have to sign in again.
security-portal-ended = That browser was signed out of this portal.
security-grants-title = Authorized apps
security-grants-none = You have not allowed any app to use your account.
security-grants-unknown_app = An app
security-grants-revoke = Revoke
security-grants-revoke_menu = Revoke…
security-grants-revoke_question = Revoke access for { $app }? It will have to ask you again.
security-grants-revoked = Access for { $app } was revoked.

security-social-title = Social accounts
security-social-none = No social sign-in is set up for this site.
security-social-link = Link { $name }
security-social-is_linked = Linked
security-social-linked = The account is linked. You can now sign in with it.
security-social-in_use = That account already belongs to someone else, so it cannot be linked to yours.
security-social-expired = The link did not finish. Try linking again.
security-social-unlink_on_profile = Linked accounts are removed on your profile page.

security-err-totp_in_use = An authenticator app is already set up. Remove it first to use another one.
security-err-totp_invalid = That key could not be used. Start setting up the authenticator app again.
security-err-backup_alone = Backup codes work together with an authenticator app or a passkey. Set one up first.
security-err-backup_in_use = You still have backup codes. Make new ones to replace them.
security-err-token_name_taken = You already have a token with this name. Choose another.
security-err-invalid = That was not accepted. Check it and try again.
security-err-gone = That is no longer there. The page shows how things are now.
