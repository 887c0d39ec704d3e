profile-title = 我的個人資料
profile-intro = 你的帳號資料。變更會套用到所有以此帳號登入的地方。
profile-edit = 編輯
profile-not_set = 未設定
profile-nothing_changed = 沒有任何變更。
profile-too_long = { $count ->
   *[other] 最多 { $count } 個字元。
}
profile-logto_refused = 這項變更未被接受。請檢查內容後再試一次。
profile-last_sign_in_method = 這是你唯一的登入方式，因此無法移除。請先新增其他電子郵件、電話或密碼。

profile-proof-current_password = 目前的密碼
profile-proof-required = 請輸入目前的密碼以確認是你本人。
profile-proof-wrong = 目前的密碼不正確。
profile-proof-wrong_then_wait = 目前的密碼不正確。錯誤次數過多：請等待 { $wait } 後再試。
profile-proof-sign_in_again = 為了你的安全，請先重新登入，再進行這項變更。
profile-proof-sign_in_link = 重新登入
profile-proof-why = 每隔幾分鐘需要確認一次是你本人。

profile-basics-title = 基本資料
profile-basics-name = 姓名
profile-basics-username = 使用者名稱
profile-basics-username_hint = 僅限英文字母、數字與底線，且不能以數字開頭。變更時需要輸入密碼。
profile-basics-username_invalid = 使用者名稱只能包含英文字母、數字與底線，且不能以數字開頭。
profile-basics-username_taken = 這個使用者名稱已被使用，請換一個。
profile-basics-avatar = 頭像
profile-basics-avatar_url = 頭像網址
profile-basics-avatar_hint = 以 https:// 開頭的圖片網址。留空即可移除頭像。
profile-basics-avatar_invalid = 請輸入以 https:// 開頭的網址。
profile-basics-avatar_preview = 頭像預覽
profile-basics-password_hint = 只有變更使用者名稱時需要。
profile-basics-saved = 基本資料已儲存。
profile-basics-upload = 或上傳圖片
profile-basics-upload_hint = PNG、JPEG、GIF 或 WebP，最大 { $max } MB。
profile-basics-upload_button = 上傳
profile-basics-upload_missing = 請選擇要上傳的圖片檔。
profile-basics-upload_too_large = 檔案太大。圖片最大 { $max } MB。
profile-basics-upload_not_image = 這個檔案不是 PNG、JPEG、GIF 或 WebP 圖片。
profile-basics-upload_unavailable = 這裡無法上傳圖片。請改用圖片網址。
profile-basics-upload_refused = 這個檔案未被接受。請換一張圖片。
profile-basics-upload_unreadable = 無法讀取這張圖片，可能已損壞，或邊長超過 8192 像素。請換一個檔案。
profile-basics-avatar_uploaded = 新頭像已上傳。

profile-details-title = 個人檔案
profile-details-saved = 個人檔案已儲存。
profile-details-address = 地址
profile-details-given_name = 名字
profile-details-middle_name = 中間名
profile-details-family_name = 姓氏
profile-details-nickname = 暱稱
profile-details-website = 網站
profile-details-website_hint = 以 http:// 或 https:// 開頭的網址。
profile-details-website_invalid = 請輸入以 http:// 或 https:// 開頭的網址。
profile-details-gender = 性別
profile-details-gender_female = 女性
profile-details-gender_male = 男性
profile-details-gender_other = 其他
profile-details-gender_invalid = 請從清單中選擇。
profile-details-birthdate = 生日
profile-details-birthdate_invalid = 請輸入 1900 年至今天之間的真實日期。
profile-details-locale = 語言
profile-details-locale_invalid = 請輸入語言標籤，例如 en-US 或 zh-TW。
profile-details-zoneinfo = 時區
profile-details-zoneinfo_invalid = 請輸入時區名稱，例如 Europe/Berlin 或 Asia/Taipei。
profile-details-address_formatted = 完整地址
profile-details-street_address = 街道地址
profile-details-locality = 城市
profile-details-region = 州或地區
profile-details-postal_code = 郵遞區號
profile-details-country = 國家

profile-custom-title = 其他資料
profile-custom-saved = 資料已儲存。
profile-custom-required = 此欄位為必填。
profile-custom-pattern = 格式不符合要求。
profile-custom-number = 請輸入數字。
profile-custom-min = 請輸入不小於 { $min } 的數字。
profile-custom-max = 請輸入不大於 { $max } 的數字。
profile-custom-date = 請以 YYYY-MM-DD 格式輸入有效日期。
profile-custom-option = 請從清單中選擇。
profile-custom-choose = 請選擇…
profile-custom-read_only = 唯讀

profile-password-title = 密碼
profile-password-change = 變更密碼
profile-password-set_one = 設定密碼
profile-password-none_yet = 你目前不使用密碼登入。設定密碼後，也可以用電子郵件或使用者名稱加上這組密碼登入。
profile-password-is_set = 你已設定密碼。
profile-password-not_set = 你沒有密碼，使用其他方式登入。
profile-password-new = 新密碼
profile-password-confirm = 再次輸入新密碼
profile-password-policy_length = { $count ->
   *[other] 至少 { $count } 個字元。
}
profile-password-policy_classes = 至少包含以下其中 { $n } 種：小寫字母、大寫字母、數字、符號。
profile-password-policy_rest = 不可包含你的使用者名稱或電子郵件，也不可是常見密碼。
profile-password-new_required = 請輸入新密碼。
profile-password-too_short = { $count ->
   *[other] 至少需要 { $count } 個字元。
}
profile-password-too_long = { $count ->
   *[other] 最多 { $count } 個字元。
}
profile-password-too_few_classes = 至少包含以下其中 { $n } 種：小寫字母、大寫字母、數字、符號。
profile-password-personal_info = 密碼中不可包含你的使用者名稱或電子郵件。
profile-password-common = 這組密碼太常見、容易被猜到，請換一組。
profile-password-mismatch = 兩次輸入的新密碼不一致。
profile-password-changed = 密碼已變更。
profile-password-set = 密碼已設定。
profile-password-sign_out_others = 登出我的其他工作階段
profile-password-sign_out_others_hint = 其他已登入本入口網站的瀏覽器，以及其他已登入你帳號的裝置，都需要重新登入。
profile-password-portal_ended = { $count ->
    [0] 你沒有在其他地方登入本入口網站。
   *[other] 已在另外 { $count } 個瀏覽器登出本入口網站。
}
profile-password-logto_ended = { $count ->
    [0] 沒有其他裝置登入你的帳號。
   *[other] 已將 { $count } 個裝置登出你的帳號。
}
profile-password-logto_failed = 目前無法將其他裝置登出你的帳號：請在帳號安全性頁面使用「登出其他所有地方」。

profile-email-title = 電子郵件
profile-email-new = 新的電子郵件地址
profile-email-new_hint = 我們會寄送驗證碼到這個地址，以確認它屬於你。
profile-email-change = 變更電子郵件
profile-email-add = 新增電子郵件
profile-email-remove = 移除電子郵件
profile-email-unavailable = 無法在此變更電子郵件，因為本服務無法寄送電子郵件驗證碼。請洽詢管理員協助變更。
profile-email-same = 這已經是你的電子郵件地址。
profile-email-taken = 這個電子郵件地址已被其他帳號使用。
profile-email-saved = 你的電子郵件地址已變更為 { $to }。
profile-email-removed = 你的電子郵件地址已移除。

profile-phone-title = 電話
profile-phone-new = 新的電話號碼
profile-phone-new_hint = 請包含國碼，例如 +886 912 345 678。我們會傳送簡訊驗證碼。
profile-phone-change = 變更電話號碼
profile-phone-add = 新增電話號碼
profile-phone-remove = 移除電話號碼
profile-phone-unavailable = 無法在此變更電話號碼，因為本服務無法傳送簡訊。請洽詢管理員協助變更。
profile-phone-same = 這已經是你的電話號碼。
profile-phone-taken = 這個電話號碼已被其他帳號使用。
profile-phone-saved = 你的電話號碼已變更為 { $to }。
profile-phone-removed = 你的電話號碼已移除。

profile-contact-email_invalid = 請輸入電子郵件地址，例如 name@example.com。
profile-contact-phone_invalid = 請輸入含國碼的電話號碼，共 7 到 15 位數字。
profile-contact-code = 驗證碼
profile-contact-code_hint = 訊息中的驗證碼，通常為 6 位數字。
profile-contact-code_format = 請輸入驗證碼的數字。
profile-contact-send_code = 寄送驗證碼
profile-contact-verify = 確認
profile-contact-resend = 重新寄送驗證碼
profile-contact-enter_code = 我們已將驗證碼寄到 { $to }。請在下方輸入以確認變更。
profile-contact-code_sent = 驗證碼已寄到 { $to }。
profile-contact-code_resent = 新的驗證碼已寄到 { $to }。
profile-contact-too_many_codes = 寄到這個地址的驗證碼太多了。請稍後再試。
profile-contact-send_failed = 無法寄送驗證碼。請稍後再試。
profile-contact-wait = 請等待 { $wait } 後再索取新的驗證碼。
profile-contact-nothing_pending = 目前沒有等待驗證的變更。請重新開始。
profile-contact-code_wrong = 驗證碼不正確。請檢查訊息後再試一次。
profile-contact-code_expired = 驗證碼已過期。請重新寄送。
profile-contact-code_too_many_tries = 驗證碼錯誤次數過多。請重新寄送。
profile-contact-code_not_found = 這個地址已沒有有效的驗證碼。請重新寄送。
profile-contact-cancelled = 變更已取消。
profile-contact-nothing_to_remove = 沒有可移除的項目。

profile-identities-title = 已連結的帳號
profile-identities-none = 你的帳號沒有連結任何社群帳號。
profile-identities-provider = 服務
profile-identities-account = 帳號
profile-identities-unlink = 取消連結
profile-identities-unlinked = 已取消連結你的 { $provider } 帳號。

profile-delete-title = 刪除我的帳號
profile-delete-warning = 這會刪除你的帳號以及所有相關資料，包括你的組織成員資格。此動作無法復原。
profile-delete-type_to_confirm = 請輸入 { $phrase } 以確認
profile-delete-mismatch = 請完全照樣輸入 { $phrase } 以確認。
profile-delete-button = 刪除我的帳號

profile-gone = 你的帳號已不存在。
profile-show_password = 顯示密碼
profile-hide_password = 隱藏密碼
profile-details-more = 更多資料
profile-details-birthdate_hint = 1900 年至今天之間。
profile-delete-start = 刪除我的帳號…
