profile-title = My profile
profile-intro = Your account details. Changes apply everywhere you sign in with this account.
profile-edit = Edit
profile-not_set = Not set
profile-nothing_changed = Nothing changed.
profile-too_long = { $count ->
    [one] Use at most { $count } character.
   *[other] Use at most { $count } characters.
}
profile-logto_refused = This change was not accepted. Check the values and try again.
profile-last_sign_in_method = This is the last way you can sign in, so it cannot be removed. Add another email, phone or password first.

profile-proof-current_password = Current password
profile-proof-required = Enter your current password to confirm it is you.
profile-proof-wrong = That is not your current password.
profile-proof-wrong_then_wait = That is not your current password. Too many wrong tries: wait { $wait } before trying again.
profile-proof-sign_in_again = For your security, sign in again before making this change.
profile-proof-sign_in_link = Sign in again
profile-proof-why = Needed once every few minutes to confirm it is you.

profile-basics-title = Basics
profile-basics-name = Name
profile-basics-username = Username
profile-basics-username_hint = Letters, digits and underscores; it cannot start with a digit. Changing it asks for your password.
profile-basics-username_invalid = A username uses only letters, digits and underscores, and does not start with a digit.
profile-basics-username_taken = This username is taken. Choose another one.
profile-basics-avatar = Avatar
profile-basics-avatar_url = Avatar address
profile-basics-avatar_hint = An https:// address of an image. Leave empty to remove your avatar.
profile-basics-avatar_invalid = Enter an address that starts with https://.
profile-basics-avatar_preview = Avatar preview
profile-basics-password_hint = Only needed to change your username.
profile-basics-saved = Your basics were saved.
profile-basics-upload = Or upload an image
profile-basics-upload_hint = PNG, JPEG, GIF or WebP, up to { $max } MB.
profile-basics-upload_button = Upload
profile-basics-upload_missing = Choose an image file to upload.
profile-basics-upload_too_large = This file is too large. Images can be up to { $max } MB.
profile-basics-upload_not_image = This file is not a PNG, JPEG, GIF or WebP image.
profile-basics-upload_unavailable = Uploading images is not available here. Use an image address instead.
profile-basics-upload_refused = This file was not accepted. Try another image.
profile-basics-upload_unreadable = This image could not be read. It may be damaged, or larger than 8192 pixels a side. Try another file.
profile-basics-avatar_uploaded = Your new avatar was uploaded.

profile-details-title = Profile
profile-details-saved = Your profile was saved.
profile-details-address = Address
profile-details-given_name = Given name
profile-details-middle_name = Middle name
profile-details-family_name = Family name
profile-details-nickname = Nickname
profile-details-website = Website
profile-details-website_hint = An http:// or https:// address.
profile-details-website_invalid = Enter a web address that starts with http:// or https://.
profile-details-gender = Gender
profile-details-gender_female = Female
profile-details-gender_male = Male
profile-details-gender_other = Other
profile-details-gender_invalid = Choose one of the listed options.
profile-details-birthdate = Birthdate
profile-details-birthdate_invalid = Enter a real date between 1900 and today.
profile-details-locale = Language
profile-details-locale_invalid = Enter a language tag such as en-US or zh-TW.
profile-details-zoneinfo = Time zone
profile-details-zoneinfo_invalid = Enter a time zone name such as Europe/Berlin or Asia/Taipei.
profile-details-address_formatted = Full address
profile-details-street_address = Street address
profile-details-locality = City
profile-details-region = State or region
profile-details-postal_code = Postal code
profile-details-country = Country

profile-custom-title = More about you
profile-custom-saved = Your details were saved.
profile-custom-required = This field is required.
profile-custom-pattern = This value does not have the expected format.
profile-custom-number = Enter a number.
profile-custom-min = Enter a number of at least { $min }.
profile-custom-max = Enter a number of at most { $max }.
profile-custom-date = Enter a real date as YYYY-MM-DD.
profile-custom-option = Choose one of the listed options.
profile-custom-choose = Choose…
profile-custom-read_only = read-only

profile-password-title = Password
profile-password-change = Change password
profile-password-set_one = Set a password
profile-password-none_yet = You sign in without a password today. Setting one lets you also sign in with your email or username and this password.
profile-password-is_set = You have a password.
profile-password-not_set = You have no password; you sign in another way.
profile-password-new = New password
profile-password-confirm = Repeat the new password
profile-password-policy_length = { $count ->
    [one] At least { $count } character.
   *[other] At least { $count } characters.
}
profile-password-policy_classes = Use at least { $n } of: lowercase letters, uppercase letters, digits, symbols.
profile-password-policy_rest = Not your username or email, and not a commonly used password.
profile-password-new_required = Enter a new password.
profile-password-too_short = { $count ->
    [one] Use at least { $count } character.
   *[other] Use at least { $count } characters.
}
profile-password-too_long = { $count ->
    [one] Use at most { $count } character.
   *[other] Use at most { $count } characters.
}
profile-password-too_few_classes = Use at least { $n } of: lowercase letters, uppercase letters, digits, symbols.
profile-password-personal_info = Do not use your username or email in your password.
profile-password-common = This password is too common and easy to guess. Choose another one.
profile-password-mismatch = The two new passwords are not the same.
profile-password-changed = Your password was changed.
profile-password-set = Your password was set.
profile-password-sign_out_others = Sign out my other sessions
profile-password-sign_out_others_hint = Other browsers signed in to this portal, and other devices signed in to your account, will have to sign in again.
profile-password-portal_ended = { $count ->
    [0] You were not signed in to this portal anywhere else.
    [one] This portal was signed out in { $count } other browser.
   *[other] This portal was signed out in { $count } other browsers.
}
profile-password-logto_ended = { $count ->
    [0] No other device was signed in to your account.
    [one] { $count } device was signed out of your account.
   *[other] { $count } devices were signed out of your account.
}
profile-password-logto_failed = Other devices could not be signed out of your account just now: use "Sign out everywhere else" on the account security page.

profile-email-title = Email
profile-email-new = New email address
profile-email-new_hint = We will send a code to this address to make sure it is yours.
profile-email-change = Change email
profile-email-add = Add an email
profile-email-remove = Remove email
profile-email-unavailable = Your email address cannot be changed here, because this service cannot send email codes. Ask your administrator to change it.
profile-email-same = This is already your email address.
profile-email-taken = This email address is already used by another account.
profile-email-saved = Your email address is now { $to }.
profile-email-removed = Your email address was removed.

profile-phone-title = Phone
profile-phone-new = New phone number
profile-phone-new_hint = With the country code, e.g. +886 912 345 678. We will text a code to it.
profile-phone-change = Change phone number
profile-phone-add = Add a phone number
profile-phone-remove = Remove phone number
profile-phone-unavailable = Your phone number cannot be changed here, because this service cannot send text messages. Ask your administrator to change it.
profile-phone-same = This is already your phone number.
profile-phone-taken = This phone number is already used by another account.
profile-phone-saved = Your phone number is now { $to }.
profile-phone-removed = Your phone number was removed.

profile-contact-email_invalid = Enter an email address such as name@example.com.
profile-contact-phone_invalid = Enter a phone number with its country code, 7 to 15 digits.
profile-contact-code = Code
profile-contact-code_hint = The code in the message, usually 6 digits.
profile-contact-code_format = Enter the digits of the code.
profile-contact-send_code = Send code
profile-contact-verify = Confirm
profile-contact-resend = Send a new code
profile-contact-enter_code = We sent a code to { $to }. Enter it below to confirm the change.
profile-contact-code_sent = A code was sent to { $to }.
profile-contact-code_resent = A new code was sent to { $to }.
profile-contact-too_many_codes = Too many codes were sent to this address. Try again later.
profile-contact-send_failed = The code could not be sent. Try again later.
profile-contact-wait = Wait { $wait } before asking for another code.
profile-contact-nothing_pending = There is no change waiting for a code any more. Start again.
profile-contact-code_wrong = This code is not right. Check the message and try again.
profile-contact-code_expired = This code has expired. Send a new code.
profile-contact-code_too_many_tries = Too many wrong codes. Send a new code.
profile-contact-code_not_found = There is no code for this address any more. Send a new code.
profile-contact-cancelled = The change was cancelled.
profile-contact-nothing_to_remove = There is nothing to remove.

profile-identities-title = Linked accounts
profile-identities-none = No social accounts are linked to your account.
profile-identities-provider = Provider
profile-identities-account = Account
profile-identities-unlink = Unlink
profile-identities-unlinked = Your { $provider } account was unlinked.

profile-delete-title = Delete my account
profile-delete-warning = This deletes your account and everything kept about you, including your organization memberships. It cannot be undone.
profile-delete-type_to_confirm = Type { $phrase } to confirm
profile-delete-mismatch = Type { $phrase } exactly to confirm.
profile-delete-button = Delete my account

profile-gone = Your account no longer exists.
profile-show_password = Show password
profile-hide_password = Hide password
profile-details-more = More details
profile-details-birthdate_hint = Between 1900 and today.
profile-delete-start = Delete my account…
