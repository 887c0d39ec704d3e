orgs-title = Organizations
orgs-intro_operator = All organizations of this Logto tenant.
orgs-intro_admin = The organizations you administer.
orgs-search_label = Search by name or ID
orgs-caption = Organizations
orgs-name = Name
orgs-id = ID
orgs-members = Members
orgs-empty = No organization matches this search.
orgs-none = You do not belong to any organization yet. If you need access, ask your organization's administrator or the team that runs this portal.
orgs-intro_member = The organizations you belong to, with your roles in each. Their administrators manage the members.
orgs-your_roles = Your roles
orgs-no_roles = No roles
orgs-load_failed = The organizations could not be loaded from Logto.
orgs-found = { $count ->
    [one] { $count } organization found.
   *[other] { $count } organizations found.
}
members-title = Members of { $org }
members-search_label = Search members
members-search_hint = Name, email, username, phone or ID
members-role_filter = Role
members-all_roles = All roles
members-col_avatar = Picture
members-col_name = Name
members-col_email = Email
members-col_username = Username
members-col_roles = Organization roles
members-col_last_sign_in = Last sign-in
members-you = you
members-suspended = Suspended
members-no_roles = No role
members-change_roles = Change roles
members-remove = Remove
members-found = { $count ->
    [one] { $count } member found.
   *[other] { $count } members found.
}
members-empty = This organization has no members yet.
members-empty_filtered = No member matches this search or role.
members-past_end = This page is past the end of the list.
members-go_first = Go to the first page
members-load_failed = The member list could not be loaded from Logto.
members-export = Export CSV
members-add_button = Add member
members-add_title = Add a member
members-add_search_label = Find a person by email, username or name
members-add_search_hint = Only people who are not members yet are listed. Type at least 2 characters.
members-add_person = Person to add
members-add_roles = Roles in this organization
members-add_submit = Add to organization
members-add_close = Close
members-add_type_more = Type at least 2 characters to search.
members-add_no_match = Nobody who is not already a member matches this search.
members-add_search_label_exact = Find a person by their full email address or username
members-add_search_hint_exact = Type the full email address or the exact username, then search. Only people who are not members yet are found.
members-add_type_exact = Type the person’s full email address or username, then search.
members-add_exact_no_match = Nobody who is not already a member has exactly this email address or username.
members-add_more = { $count ->
    [one] Showing { $shown } of { $count } match. Type more to narrow the search.
   *[other] Showing { $shown } of { $count } matches. Type more to narrow the search.
}
members-add_choose_person = Choose the person to add.
members-add_done = { $name } was added to { $org }.
members-add_roles_failed = { $name } was added, but their roles could not be set: { $reason } Use “Change roles” to try again.
members-add_search_failed = The search could not be completed.
members-roles_legend = Roles of { $name }
members-roles_title = Change roles of { $name }
members-roles_saved = Roles saved.
members-roles_saved_of = Roles of { $name } saved.
members-remove_title = Remove { $name }?
members-remove_question = Remove { $name } from { $org }? They lose their roles in this organization; their account itself is not deleted.
members-remove_confirm = Remove from organization
members-removed = { $name } was removed from { $org }.
members-back_to_list = Back to the member list
members-self_demoted = You are no longer an admin of { $org }.

members-err-last_admin = { $name } is the last admin of this organization. Make someone else an admin first.
members-err-busy = Another change to this organization's admins is still being saved. Try again in a moment.
members-err-no_longer_admin = You are no longer an admin of this organization: another admin changed your roles a moment ago. Nothing was changed.
members-err-role_filter_partial = { $count ->
    [one] Only the first member was checked for this role. Logto { $version } or later filters by role itself.
   *[other] Only the first { $count } members were checked for this role. Logto { $version } or later filters by role itself.
}
members-err-unknown_role = One of the chosen roles does not exist (any more). Reload the page and choose again.
members-err-not_member = This person is not a member of the organization any more. Reload the list.
members-err-gone = This person or one of the roles no longer exists in Logto.
members-err-role_not_assignable = One of the chosen roles cannot be given to people.

# Bulk role changes: people ticked in the table, one role given or taken away, as a job.
members-col_select = Select
members-bulk-select = Select { $name }
members-bulk-change_label = With the selected people
members-bulk-add = Give the role
members-bulk-remove = Take the role away
members-bulk-role_label = Role to give or take away
members-bulk-submit = Review the change
members-bulk-hint = Tick people in the table, then choose a role to give them or take away.
members-bulk-heading = Change the roles of several people
members-bulk-err-nobody = Select at least one person in the table.
members-bulk-err-too_many = { $count ->
    [one] At most { $count } person at once.
   *[other] At most { $count } people at once.
}
members-bulk-err-role = Choose one of the organization's roles.
members-bulk-err-change = Choose whether to give the role or take it away.
members-bulk-confirm_add = { $count ->
    [one] Give the role { $role } to { $count } person?
   *[other] Give the role { $role } to { $count } people?
}
members-bulk-confirm_remove = { $count ->
    [one] Take the role { $role } away from { $count } person?
   *[other] Take the role { $role } away from { $count } people?
}
members-bulk-confirm_hint = The change runs in the background; its page shows the result for each person. An organization always keeps one admin.
members-bulk-start = Change the roles
members-bulk-job_heading = Role change
members-bulk-what_add = { $count ->
    [one] Giving the role { $role } to { $count } person.
   *[other] Giving the role { $role } to { $count } people.
}
members-bulk-what_remove = { $count ->
    [one] Taking the role { $role } away from { $count } person.
   *[other] Taking the role { $role } away from { $count } people.
}
members-bulk-queued = Waiting to start…
members-bulk-running = { $done } of { $total } done…
members-bulk-finished = { $count ->
    [one] Finished: { $count } person.
   *[other] Finished: { $count } people.
}
members-bulk-leave_hint = This page updates itself. You can leave it: the change goes on even if the portal restarts.
members-bulk-results = The result for each person
members-bulk-result-added = Role given
members-bulk-result-removed = Role taken away
members-bulk-result-had_it = Already had it
members-bulk-result-did_not_have_it = Did not have it
members-bulk-result-not_member = No longer a member
members-bulk-result-refused = Refused
members-bulk-result-failed = Not changed
members-bulk-result-failed_detail = The account service refused the change or did not answer. Try again for this person.
