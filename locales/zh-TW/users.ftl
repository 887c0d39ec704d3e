users-title = 使用者
users-intro = Logto 中所有擁有帳號的人，最新的在前。可以尋找使用者、查看他們的組織與最近的登入紀錄，並管理他們的帳號。
users-suspended = 已停權
users-active = 使用中
users-end_logto_sessions = 同時將他們從所有透過 Logto 登入的應用程式登出，讓下次登入即帶有此變更
users-end_logto_sessions_unavailable = 同時將他們從其他應用程式登出需要 Logto { $version } 或更新版本；在此之前，應用程式會在權杖更新時才看到此變更。
users-back_to_list = ← 所有使用者

users-field-id = 使用者 ID
users-field-email = 主要電子郵件
users-field-phone = 電話
users-field-username = 使用者名稱
users-field-name = 姓名

users-mode-contains = 包含
users-mode-starts = 開頭為
users-mode-exact = 完全相符
users-mode-regex = 符合樣式

users-search-label = 搜尋使用者
users-search-quick = 搜尋
users-search-quick_hint = 在姓名、使用者名稱、電子郵件、電話或 ID 中尋找與您輸入內容完全相同的文字。
users-search-advanced = 進階搜尋與篩選
users-search-advanced_hint = 每個條件檢查一個欄位。同一欄位的多個「完全相符」值會找出符合其中任一值的使用者；其他情況每個欄位只能有一個條件。
users-search-condition_n = 條件 { $n }
users-search-field = 欄位
users-search-mode = 比對方式
users-search-value = 值
users-search-remove = 移除
users-search-add = 新增條件
users-search-joint = 條件組合方式
users-search-joint_all = 全部符合
users-search-joint_any = 任一符合
users-search-case_sensitive = 區分大小寫
users-search-case_hint = 套用到所有條件與搜尋框。
users-search-apply = 套用
users-search-clear = 清除搜尋
users-search-rejected = 無法執行這個搜尋。請檢查條件與篩選後再試一次。
users-search-rejected_here = 這個樣式無效。
users-search-condition_problem = 條件 { $n }（{ $field }）：{ $problem }
users-search-one_per_field = Logto 每個欄位只接受一個條件，多個「完全相符」值除外。請移除這個條件或改用其他欄位。

users-filters-legend = 排除人員
users-filters-not_in_org = 不在此組織中
users-filters-org_id_hint = 組織 ID（組織太多，無法全部列出）。
users-filters-without_role = 沒有此全域角色
users-filters-role_id_hint = 角色 ID（角色太多，無法全部列出）。
users-filters-hint = 擇一：不在某組織中的人，或沒有某角色的人。
users-search-rejected_pattern = 無法執行這個搜尋：條件中的樣式無效。請修正標示的條件。
users-filters-exclude = 排除
users-filters-nobody = 不排除（不篩選）
users-filters-one_at_a_time = 只能擇一：不在某組織中的人，或沒有某角色的人。兩者無法同時搜尋。

users-results-status = { $count ->
   *[other] 顯示第 { $from }–{ $to } 位，共 { $count } 位使用者。
}
users-results-none_status = 此頁沒有使用者（共 { $total } 位）。
users-results-blocked_status = 沒有結果：搜尋條件需要修正。
users-results-blocked = 請修正上方的搜尋條件以查看使用者。
users-results-beyond_end = 這一頁已超出清單的結尾。
users-results-last_page = 前往最後一頁
users-results-no_match = 沒有符合這個搜尋的使用者。
users-results-no_users = 目前還沒有使用者。

users-table-caption = 使用者，最新的在前
users-table-avatar = 大頭貼
users-table-created = 建立時間
users-table-last_sign_in = 最後登入
users-table-status = 狀態

users-export-hint = 以 CSV 匯出目前搜尋結果的所有頁面。

users-detail-profile = 個人資料
users-detail-password = 已設定密碼
users-detail-updated = 更新時間
users-detail-custom_data = 自訂資料
users-detail-identities = 已連結的社群帳號
users-detail-no_identities = 沒有連結任何社群帳號。
users-detail-provider = 提供者
users-detail-provider_id = 在提供者的 ID
users-detail-orgs = 組織
users-detail-no_orgs = 不屬於任何組織。
users-detail-org = 組織
users-detail-org_roles = 在組織中的角色
users-detail-roles = 全域角色
users-detail-no_roles = 沒有全域角色。
users-detail-role = 角色
users-detail-description = 說明
users-detail-events = Logto 中的最近活動
users-detail-events_hint = 登入、註冊、重設密碼與權杖，最新的在前。Logto 不會把密碼錯誤的嘗試連結到特定人（當時尚未識別身分），所以這裡不會列出。
users-detail-no_events = Logto 沒有這位使用者的活動紀錄。
users-detail-account = 帳號

users-profile-given_name = 名字
users-profile-middle_name = 中間名
users-profile-family_name = 姓氏
users-profile-nickname = 暱稱
users-profile-preferred_username = 偏好的使用者名稱
users-profile-profile = 個人頁面
users-profile-website = 網站
users-profile-gender = 性別
users-profile-birthdate = 生日
users-profile-zoneinfo = 時區
users-profile-locale = 語言地區
users-profile-address = 地址

users-event-time = 時間
users-event-event = 事件
users-event-result = 結果
users-event-ip = IP 位址
users-event-user_agent = 瀏覽器
users-event-succeeded = 成功
users-event-failed = 失敗
users-event-sign_in = 登入
users-event-sign_in_step = 登入步驟
users-event-register = 註冊
users-event-register_step = 註冊步驟
users-event-forgot_password = 重設密碼
users-event-forgot_password_step = 重設密碼步驟
users-event-interaction = 登入工作階段
users-event-token = 核發權杖
users-event-revoke = 撤銷權杖
users-event-other = 其他事件

users-suspend-title = 要將 { $name } 停權嗎？
users-suspend-effect = Logto 會立即讓 { $name } 在所有地方登出：撤銷他們所有的工作階段與權杖。在操作員解除停權之前，他們無法登入任何應用程式。
users-suspend-keeps = 他們的個人資料、組織與角色都會保留。
users-suspend-button = 停權
users-suspend-hint = 讓使用者在所有地方登出，並禁止登入。
users-suspend-done = { $name } 已停權，並已在所有地方登出。

users-unsuspend-title = 要解除 { $name } 的停權嗎？
users-unsuspend-effect = { $name } 將可以再次登入。停權時結束的工作階段不會恢復：他們需要重新登入。
users-unsuspend-button = 解除停權
users-unsuspend-hint = 允許使用者再次登入。
users-unsuspend-done = { $name } 已可以再次登入。

users-delete-title = 要刪除 { $name } 嗎？
users-delete-effect = Logto 會永久刪除 { $name }：個人資料、已連結的帳號、組織成員資格與角色，以及他們送出或接受的邀請。他們的工作階段會立即結束。
users-delete-final = 此操作無法復原。
users-delete-type_word = 輸入 { $word } 以確認
users-delete-mismatch = 內容不相符。請準確輸入 { $word } 才能刪除這位使用者。
users-delete-button = 刪除使用者
users-delete-hint = 永久移除這個帳號以及所有相關資料。
users-delete-done = 已刪除 { $name }。

users-orgs-no_roles = 沒有角色
users-orgs-remove_link = 移除
users-orgs-remove_title = 要將 { $name } 從 { $org } 移除嗎？
users-orgs-remove_effect = { $name } 將離開 { $org }，並失去在那裡的角色（{ $roles }）。應用程式會在下次取得 { $org } 的權杖時看到這項變更。
users-orgs-remove_button = 從組織移除
users-orgs-removed = 已將 { $name } 從 { $org } 移除。
users-orgs-add_heading = 加入組織
users-orgs-add_hint = { $name } 會成為成員，並擁有你勾選的角色（未勾選：沒有角色的成員）。應用程式會在下次取得權杖時看到成員資格。
users-orgs-add_button = 加入組織
users-orgs-choose_option = 選擇組織
users-orgs-choose = 請選擇要將使用者加入的組織。
users-orgs-added = 已將 { $name } 加入 { $org }。
users-orgs-roles_failed = 已將 { $name } 加入 { $org }，但 Logto 拒絕了指定的角色。請檢查角色，並從該組織的成員頁面加上。

users-roles-remove_link = 移除
users-roles-remove_title = 要移除 { $name } 的角色 { $role } 嗎？
users-roles-remove_effect = { $name } 將失去全域角色 { $role } 以及它授予的權限，從他們下次取得權杖時生效。
users-roles-operator_note = 這個角色讓持有者成為此入口網站的操作員：他們將無法再存取這些頁面。
users-roles-remove_button = 移除角色
users-roles-removed = { $name } 已不再擁有角色 { $role }。
users-roles-assign_heading = 指派全域角色
users-roles-assign_hint = 全域角色在所有組織與應用程式中授予 API 權限，從使用者下次取得權杖時生效。角色 { $role } 也會讓使用者成為此入口網站的操作員。
users-roles-assign_button = 指派角色
users-roles-choose_option = 選擇角色
users-roles-choose = 請選擇要指派的角色。
users-roles-assigned = { $name } 現在擁有角色 { $role }。

users-self-explain = 這是你自己的帳號。你無法在這裡將它停權或刪除：這會立即把你自己鎖在外面。請找另一位操作員處理。
users-self-suspend = 你無法將自己的帳號停權：Logto 會立即結束你的工作階段，而你無法自行復原。請找另一位操作員處理。
users-self-delete = 你無法在這裡刪除自己的帳號。請找另一位操作員處理。
users-self-operator_role = 你無法移除自己的操作員角色：你會立即失去這些頁面的存取權。請找另一位操作員處理。

users-error-missing_reference = 這個組織或角色已不存在於 Logto。請重新整理頁面後再選擇一次。
users-error-not_member = 這位使用者（已經）不是該組織的成員。
users-error-role_type = 這個角色無法指派給使用者（它不存在，或是供機器對機器應用程式使用）。
users-error-gone = Logto 中已沒有這筆資料（使用者、組織或角色已在這段期間被移除）。請重新整理頁面。

## The Security section of a user's page (src/web/users/security.rs) and its actions
users-security-title = 安全性
users-security-mfa = 兩步驟登入
users-security-sessions = 已登入的裝置
users-security-sessions_missing = 需要 Logto { $version } 或更新版本，才能在這裡列出並登出他們的 Logto 工作階段。
users-security-portal_sessions = { $count ->
    [0] 未登入本入口網站。
   *[other] 在 { $count } 個瀏覽器登入了本入口網站。
}
users-security-no_sessions = 沒有透過 Logto 登入的裝置。
users-security-end_all = 在所有地方登出
users-security-end_all_hint = 結束他們的 Logto 工作階段與本入口網站的工作階段。他們之後仍可再次登入。
users-security-no_tokens = 沒有個人存取權杖。
users-security-self = 這是你自己的帳號：請到你自己的安全性頁面重設兩步驟登入，或登出其他瀏覽器。
users-security-own_page = 你的帳號安全性
users-security-session_gone = 該工作階段已不存在。清單顯示的是目前的工作階段。
users-security-session_ended = 已讓 { $name } 從該裝置登出。
users-security-all_ended = 已讓 { $name } 在所有地方登出。
users-mfa_reset-title = 要重設 { $name } 的兩步驟登入嗎？
users-mfa_reset-effect = 這會移除 { $name } 的所有兩步驟驗證方式：驗證器應用程式、備用碼與通行金鑰。
users-mfa_reset-after = 在他們設定新的驗證方式之前，只需密碼即可登入（若租戶要求兩步驟登入，Logto 會在下次登入時請他們設定）。
users-mfa_reset-button = 重設兩步驟登入
users-mfa_reset-hint = 適用於遺失驗證器與備用碼的人。請先確認確實是本人提出的要求。
users-mfa_reset-done = { $count ->
   *[other] 已移除 { $name } 的 { $count } 個兩步驟驗證方式。
}
users-self-mfa_reset = 你無法在這裡重設自己的兩步驟登入。請到你自己的安全性頁面變更。
users-self-sessions = 你無法在這裡讓自己在所有地方登出。請到你自己的安全性頁面登出其他瀏覽器。

users-password_expire-title = 要讓 { $name } 的密碼過期嗎？
users-password_expire-effect = { $name } 下次登入時仍可使用目前的密碼，但必須先設定新密碼才能繼續。其他一切不變。
users-password_expire-no_password = { $name } 沒有密碼（以其他方式登入），因此沒有可過期的密碼。
users-password_expire-button = 讓密碼過期
users-password_expire-hint = 下次登入時要求設定新密碼。
users-password_expire-done = { $name } 的密碼已過期：下次登入時會設定新密碼。
users-password_expire-missing = 讓密碼過期需要 Logto { $version } 或更新版本。
users-error-expiry_off = 此租戶已關閉密碼過期功能。請先在 Logto Console（登入體驗 → 密碼政策 → 密碼過期）開啟，再試一次。

users-exports-offer_title = 在背景準備匯出
users-exports-offer_body = 有 { $total } 人符合此搜尋，人數太多，無法一次下載。入口網站會在背景準備檔案（即使您離開此頁或入口網站重新啟動也會繼續），並保留一天。
users-exports-prepare = 準備檔案
users-exports-title = 目錄匯出
users-exports-started = 要求於
users-exports-queued = 等待開始…
users-exports-running = 已讀取 { $done } / { $total } 人…
users-exports-ready = { $total ->
   *[other] 已就緒：{ $total } 人。
}
users-exports-leave_hint = 此頁面會自動更新。您可以離開稍後再回來：檔案會在背景準備。
users-exports-download = 下載
users-exports-kept_until = 檔案將於以下時間刪除
users-exports-back = 返回目錄
jobs-gave_up = 多次失敗後已停止（帳號服務或入口網站的資料庫沒有回應）。請稍後再試一次。
users-exports-no_longer_operator = 匯出已停止：提出要求的人已不再是營運人員。
