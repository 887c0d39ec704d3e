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
