orgs-title = 組織
orgs-intro_operator = 此 Logto 租戶中的所有組織。
orgs-intro_admin = 您所管理的組織。
orgs-search_label = 依名稱或 ID 搜尋
orgs-caption = 組織
orgs-name = 名稱
orgs-id = ID
orgs-members = 成員數
orgs-empty = 沒有符合此搜尋的組織。
orgs-none = 您目前不屬於任何組織。如需存取權限，請詢問您組織的管理員或負責此入口網站的團隊。
orgs-intro_member = 您所屬的組織，以及您在各組織中的角色。成員由各組織的管理員管理。
orgs-your_roles = 您的角色
orgs-no_roles = 沒有角色
orgs-load_failed = 無法從 Logto 載入組織清單。
orgs-found = { $count ->
   *[other] 找到 { $count } 個組織。
}
members-title = { $org } 的成員
members-search_label = 搜尋成員
members-search_hint = 姓名、電子郵件、使用者名稱、電話或 ID
members-role_filter = 角色
members-all_roles = 所有角色
members-col_avatar = 頭像
members-col_name = 姓名
members-col_email = 電子郵件
members-col_username = 使用者名稱
members-col_roles = 組織角色
members-col_last_sign_in = 最後登入
members-you = 您
members-suspended = 已停用
members-no_roles = 無角色
members-change_roles = 變更角色
members-remove = 移除
members-found = { $count ->
   *[other] 找到 { $count } 位成員。
}
members-empty = 此組織目前還沒有成員。
members-empty_filtered = 沒有符合此搜尋或角色的成員。
members-past_end = 此頁已超出清單範圍。
members-go_first = 前往第一頁
members-load_failed = 無法從 Logto 載入成員清單。
members-export = 匯出 CSV
members-add_button = 新增成員
members-add_title = 新增成員
members-add_search_label = 依電子郵件、使用者名稱或姓名尋找使用者
members-add_search_hint = 只會列出尚未加入的使用者。請至少輸入 2 個字元。
members-add_person = 要新增的使用者
members-add_roles = 在此組織中的角色
members-add_submit = 加入組織
members-add_close = 關閉
members-add_type_more = 請至少輸入 2 個字元以搜尋。
members-add_no_match = 沒有符合此搜尋且尚未加入的使用者。
members-add_search_label_exact = 以完整的電子郵件地址或使用者名稱尋找使用者
members-add_search_hint_exact = 請輸入完整的電子郵件地址或確切的使用者名稱，然後搜尋。只會找到尚未加入的使用者。
members-add_type_exact = 請輸入對方完整的電子郵件地址或使用者名稱，然後搜尋。
members-add_exact_no_match = 沒有尚未加入、且電子郵件地址或使用者名稱完全相符的使用者。
members-add_more = { $count ->
   *[other] 顯示 { $count } 筆中的 { $shown } 筆。請輸入更多文字以縮小範圍。
}
members-add_choose_person = 請選擇要新增的使用者。
members-add_done = 已將 { $name } 加入 { $org }。
members-add_roles_failed = 已加入 { $name }，但無法設定其角色：{ $reason } 請使用「變更角色」再試一次。
members-add_search_failed = 無法完成搜尋。
members-roles_legend = { $name } 的角色
members-roles_title = 變更 { $name } 的角色
members-roles_saved = 角色已儲存。
members-roles_saved_of = 已儲存 { $name } 的角色。
members-remove_title = 要移除 { $name } 嗎？
members-remove_question = 要將 { $name } 從 { $org } 移除嗎？對方將失去在此組織中的角色，但帳號本身不會被刪除。
members-remove_confirm = 從組織移除
members-removed = 已將 { $name } 從 { $org } 移除。
members-back_to_list = 返回成員清單
members-self_demoted = 您已不再是 { $org } 的管理員。

members-err-last_admin = { $name } 是此組織最後一位管理員。請先將其他人設為管理員。
members-err-busy = 此組織的管理員正有另一項變更在儲存中，請稍後再試。
members-err-no_longer_admin = 您已不再是此組織的管理員：另一位管理員剛剛變更了您的角色。未做任何變更。
members-err-role_filter_partial = { $count ->
   *[other] 此角色篩選只檢查了前 { $count } 位成員。Logto { $version } 或更新版本可由伺服器直接依角色篩選。
}
members-err-unknown_role = 所選的角色中有角色不存在（或已被刪除）。請重新載入頁面後再選擇。
members-err-not_member = 此使用者已不是組織成員。請重新載入清單。
members-err-gone = 此使用者或其中一個角色已不存在於 Logto。
members-err-role_not_assignable = 所選的角色中有角色無法指派給使用者。

# 批次角色變更：在表格中勾選的人，一次授予或移除一個角色，於背景執行。
members-col_select = 選取
members-bulk-select = 選取 { $name }
members-bulk-change_label = 對所選的人
members-bulk-add = 授予角色
members-bulk-remove = 移除角色
members-bulk-role_label = 要授予或移除的角色
members-bulk-submit = 檢視變更
members-bulk-hint = 在表格中勾選成員，再選擇要授予或移除的角色。
members-bulk-heading = 變更多位成員的角色
members-bulk-err-nobody = 請在表格中至少選取一位成員。
members-bulk-err-too_many = { $count ->
   *[other] 一次最多 { $count } 人。
}
members-bulk-err-role = 請選擇這個組織的角色之一。
members-bulk-err-change = 請選擇要授予還是移除角色。
members-bulk-confirm_add = { $count ->
   *[other] 要將角色 { $role } 授予 { $count } 人嗎？
}
members-bulk-confirm_remove = { $count ->
   *[other] 要移除 { $count } 人的角色 { $role } 嗎？
}
members-bulk-confirm_hint = 變更會在背景執行；它的頁面會列出每個人的結果。組織一定會保留一位管理員。
members-bulk-start = 變更角色
members-bulk-job_heading = 角色變更
members-bulk-what_add = { $count ->
   *[other] 正在將角色 { $role } 授予 { $count } 人。
}
members-bulk-what_remove = { $count ->
   *[other] 正在移除 { $count } 人的角色 { $role }。
}
members-bulk-queued = 等待開始…
members-bulk-running = 已完成 { $done }／{ $total }…
members-bulk-finished = { $count ->
   *[other] 已完成：{ $count } 人。
}
members-bulk-leave_hint = 這個頁面會自動更新。您可以離開：即使入口網站重新啟動，變更也會繼續進行。
members-bulk-results = 每個人的結果
members-bulk-result-added = 已授予角色
members-bulk-result-removed = 已移除角色
members-bulk-result-had_it = 原本就有
members-bulk-result-did_not_have_it = 原本就沒有
members-bulk-result-not_member = 已不是成員
members-bulk-result-refused = 已拒絕
members-bulk-result-failed = 未變更
members-bulk-result-failed_detail = 帳號服務拒絕了變更或沒有回應。請稍後再為這個人試一次。
