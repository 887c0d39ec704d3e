app-name = 帳戶入口網站
app-skip = 跳至主要內容
nav-users = 使用者
nav-orgs = 組織
nav-audit = 稽核紀錄
nav-tenant = 租戶
nav-profile = 我的個人資料
nav-sign_in = 登入
nav-sign_out = 登出
nav-language = 語言
nav-org_switcher = 切換組織
nav-main = 主要導覽
nav-signed_in_as = 已登入：{ $name }
common-loading = 載入中…
common-retry = 重試
common-save = 儲存
common-cancel = 取消
common-search = 搜尋
common-actions = 操作
common-none = —
common-yes = 是
common-no = 否
common-back = 返回
common-request_id = 請求編號
common-page_of = 第 { $from }–{ $to } 筆，共 { $total } 筆
common-page_size = 每頁筆數
common-first = 第一頁
common-prev = 上一頁
common-next = 下一頁
common-last = 最後一頁
common-go_to_page = 前往頁碼
common-go = 前往
common-pagination = 分頁
common-never = 從未
common-export_csv = 匯出 CSV
common-wait_seconds = { $count ->
   *[other] { $count } 秒
}
common-wait_minutes = { $count ->
   *[other] { $count } 分鐘
}
common-too_many_attempts = 嘗試次數過多。請在 { $wait } 後再試。
error-too_many_title = 嘗試次數過多
error-title = 發生錯誤
error-not_found_title = 找不到頁面
error-not_found = 此頁面不存在，或您沒有存取權限。
error-forbidden_title = 拒絕存取
error-forbidden = 您的帳號無權存取此頁面。如您認為應有權限，請詢問您組織的管理員或負責此入口網站的團隊。
error-csrf_title = 表單已過期
error-csrf = 此表單的安全權杖遺失或已過期，因此未被接受。請重新整理頁面後再試一次。
error-bad_request_title = 無法理解此請求
error-logto_unavailable_title = 無法連線至 Logto
error-logto_unavailable = 身分服務（Logto）未及時回應，未做任何變更。請稍後再試。
error-logto_rate_limited = Logto 目前收到太多請求，未做任何變更。請稍候幾秒再試。
error-logto_failed = Logto 無法完成此請求。除非頁面另有說明，否則未做任何變更。
error-logto_unsupported = 此入口網站使用的 Logto 伺服器尚未提供此功能，較新版本的 Logto 才有。
error-logto_auth = 入口網站無法登入身分服務，請負責此入口網站的團隊檢查其連線設定。
error-internal = 系統發生未預期的錯誤。除非頁面另有說明，否則未做任何變更。
error-report = 若問題持續發生，請將此請求編號提供給您組織的管理員或負責此入口網站的團隊：
error-home = 前往首頁
error-sign_in_again = 您的工作階段已結束，請重新登入。
error-too_large = 送出的資料過大。

parts-actions_for = { $name } 的動作
parts-tabs = 區段
parts-tab_members = 成員
parts-tab_invitations = 邀請
parts-tab_settings = 設定
auth-signed_out_title = 您已登出
auth-signed_out = 您已登出入口網站與 Logto。
auth-sign_in_again = 重新登入
auth-callback_failed_title = 登入未完成
auth-callback_failed = 無法完成登入。當登入連結被重複使用、逾時或遭竄改時會發生此情況。
auth-try_again = 再試一次
auth-denied = Logto 回報：登入已取消或遭拒絕。
auth-suspended = 此帳號已停用，請聯絡您的管理員。
auth-welcome_title = 歡迎
auth-welcome = 使用您的 Logto 帳號登入，以管理您的個人資料、組織或使用者。
health-ok = 正常
time-just_now = 剛剛
time-minutes_ago = { $count ->
   *[other] { $count } 分鐘前
}
time-hours_ago = { $count ->
   *[other] { $count } 小時前
}
time-days_ago = { $count ->
   *[other] { $count } 天前
}
time-in_minutes = { $count ->
   *[other] { $count } 分鐘後
}
time-in_hours = { $count ->
   *[other] { $count } 小時後
}
time-in_days = { $count ->
   *[other] { $count } 天後
}
