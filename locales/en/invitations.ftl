invitations-title = Invitations
invitations-heading = Invitations · { $org }
invitations-copy = Copy
invitations-copied = Copied
invitations-link_for = Invitation link for

invitations-no_connector-title = Invitations are not emailed for now.
invitations-no_connector-body = This portal cannot send email yet, so nobody gets an email when you invite them. Copy each person’s invitation link below and send it to them yourself. Once email is set up, invitations are emailed again.

invitations-status-pending = Pending
invitations-status-accepted = Accepted
invitations-status-expired = Expired
invitations-status-revoked = Revoked

invitations-form-heading = Invite people
invitations-form-emails = Email addresses
invitations-form-emails_hint = One per line, or separated by commas. Up to { $max } at once.
invitations-form-file = Or upload a CSV file
invitations-form-file_hint = Columns: email,roles. Separate several role names with a semicolon (member;admin). Rows without roles get the roles chosen below.
invitations-form-roles = Organization roles
invitations-form-no_roles = This tenant has no organization roles yet: people will join without a role.
invitations-form-expiry = Expires after (days)
invitations-form-expiry_hint = The invitation link stops working after this many days.
invitations-form-submit = Invite people
invitations-form-sending = Sending invitations…
invitations-form-upload_unreadable = The form could not be read. Reload the page and try again.
invitations-form-file_too_large = The file is larger than { $kb } KB. Split it into smaller files.
invitations-form-file_and_emails = Type addresses or upload a file, not both at once.
invitations-form-csv_unclosed_quote = Line { $line } of the file opens a quote that it does not close.
invitations-form-csv_not_utf8 = The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.
invitations-form-csv_empty = The file has no rows.
invitations-form-emails_required = Enter at least one email address, or upload a CSV file.
invitations-form-too_many = At most { $max } people can be invited at once; this list has { $count }. Split it into smaller lists.
invitations-form-roles_unknown = One of the chosen roles no longer exists. Choose again from the list.
invitations-form-expiry_invalid = Enter a whole number of days from 1 to { $max }.

invitations-result-heading = Results
invitations-result-line = Line
invitations-result-outcome = Result
invitations-result-invited = Invited
invitations-result-already_member = Already a member
invitations-result-already_invited = Already invited
invitations-result-invalid_address = Invalid address
invitations-result-duplicate = Listed twice
invitations-result-unknown_roles = Unknown role
invitations-result-failed = Not invited
invitations-result-already_member_detail = This person is already in the organization.
invitations-result-already_invited_detail = A pending invitation for this address exists; resend it from the list below if needed.
invitations-result-invalid_address_detail = This is not a valid email address.
invitations-result-duplicate_detail = This address appears earlier in the list and is invited once.
invitations-result-unknown_roles_detail = No organization role is named: { $roles }.
invitations-result-roles_changed = The organization, a chosen role or your own account no longer exists.
invitations-result-retry_hint = Some rows failed because the account service did not answer in time. They are back in the address box: send them again in a moment.
invitations-result-links = Links to share
invitations-result-links_hint = These people were not emailed. One line per person: email,link.
invitations-result-copy_links = Copy all links

invitations-delivery-emailed = Invitation email sent.
invitations-delivery-no_connector = No email sent: copy the link and send it to the person yourself.
invitations-delivery-rate_limited = Invitation created, but too many messages went to this address just now: copy the link and send it yourself, or resend later.
invitations-delivery-failed = Invitation created, but the email could not be sent: copy the link and send it yourself, or resend later.

invitations-list-heading = All invitations
invitations-list-status = Status
invitations-list-all = All
invitations-list-search = Search by email
invitations-list-none = No invitations yet.
invitations-list-no_match = No invitations match these filters.
invitations-list-email = Email
invitations-list-roles = Roles
invitations-list-inviter = Invited by
invitations-list-created = Created
invitations-list-expires = Expires
invitations-list-link = Link

invitations-action-resend = Resend
invitations-action-revoke = Revoke
invitations-action-delete = Delete
invitations-action-resent = The invitation email to { $email } was sent again.
invitations-action-resend_no_connector = No email was sent to { $email }: this portal cannot send email yet. Copy the invitation link and send it to them yourself: { $link }
invitations-action-revoked = The invitation for { $email } was revoked. Its link now says it was withdrawn.
invitations-action-deleted = The invitation for { $email } was deleted.
invitations-action-changed_meanwhile = This invitation changed meanwhile (accepted, revoked or expired). The list shows its current status.
invitations-action-gone = This invitation no longer exists.
invitations-action-resend_ended = The invitation for { $email } is { $status }: only pending invitations can be sent again. Invite the person anew instead.
invitations-action-revoke_ended = The invitation for { $email } is { $status }: only pending invitations can be revoked.
invitations-action-delete_pending = The invitation for { $email } is still pending: revoke it first, so its link tells the person it was withdrawn.
invitations-action-delete_accepted = The invitation for { $email } was accepted: it is kept as the record of how the person joined.

invitations-landing-switch_account = Sign in as { $invitee }
invitations-landing-or_steps = Or, step by step:
invitations-landing-title = Invitation to join { $org }
invitations-landing-unknown_title = Invitation not found
invitations-landing-unknown = This invitation link is not valid. Check that you copied the whole link, or ask the organization for a new invitation.
invitations-landing-organization = Organization
invitations-landing-invitee = Invited email
invitations-landing-expired_on = Expired
invitations-landing-accept_anonymous = To accept, sign in — or create an account — with the invited email address ({ $invitee }).
invitations-landing-accept_sign_in = Accept and sign in
invitations-landing-accept_signed_in = You are signed in as { $my_email }.
invitations-landing-accept = Accept invitation
invitations-landing-mismatch = You are signed in as { $my_email }, but this invitation is for { $invitee }. Only that address can accept it.
invitations-landing-mismatch_no_email = Your account has no email address, but this invitation is for { $invitee }. Only that address can accept it.
invitations-landing-retry_step_sign_out = Sign out with the button below.
invitations-landing-retry_step_open = Open this invitation link again.
invitations-landing-retry_step_sign_in = Choose “Accept and sign in” and use { $invitee }.
invitations-landing-link = Invitation link
invitations-landing-sign_out = Sign out
invitations-landing-accepted_by_you = You accepted this invitation: you are a member of { $org }.
invitations-landing-continue = Continue
invitations-landing-accepted = This invitation has already been accepted.
invitations-landing-expired = This invitation has expired. Ask { $inviter } for a new one.
invitations-landing-expired_no_inviter = This invitation has expired. Ask an administrator of { $org } for a new one.
invitations-landing-revoked = This invitation was withdrawn by { $org }. Ask them if you think this is a mistake.
invitations-landing-joined = Welcome: you joined { $org }.
invitations-landing-joined_unnamed = Welcome: you joined the organization.

invitations-list-search_hint = Part of an address is enough.
invitations-action-revoke_question = Revoke the invitation for { $email }? Its link will stop working.
invitations-action-delete_question = Delete the invitation for { $email } for good?

invitations-delivery-unconfirmed = The portal restarted while asking for this email to be sent, so it may not have gone out. Resend it from the list if the person did not get it.
invitations-batch-heading = Invitation batch
invitations-batch-queued = Waiting to start…
invitations-batch-running = { $done } of { $total } done…
invitations-batch-finished = { $total ->
    [one] Finished: the row is done.
   *[other] Finished: all { $total } rows are done.
}
invitations-batch-started = Started
invitations-batch-ended = finished
invitations-batch-leave_hint = This page updates itself. You can leave it: the batch goes on even if the portal restarts, and you find it again on the invitations page.
invitations-batch-refresh = Refresh
invitations-batch-retry = Addresses to invite again
invitations-batch-retry_hint = The account service did not answer in time for these. Paste them into the invite form in a moment.
invitations-batch-copy_retry = Copy the addresses
invitations-batch-back = Back to the invitations
invitations-batch-recent = Recent batches
invitations-batch-recent_running = { $done } of { $total } done
invitations-batch-recent_finished = { $total ->
    [one] 1 row, finished
   *[other] { $total } rows, finished
}
invitations-batch-view = See the batch
invitations-batch-inviter_lost_access = The batch stopped: the person who started it may no longer invite people to this organization. The rows below were done; the others were not sent.
