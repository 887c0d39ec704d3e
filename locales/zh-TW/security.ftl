security-title = 帳號安全
security-intro = 兩步驟驗證、存取權杖與登入方式，都在這裡管理。
security-back_to_profile = 回到個人資料
security-link = 帳號安全：兩步驟驗證與存取權杖
security-added = 新增於
security-remove = 移除
security-remove_menu = 移除…

security-proof-title = 確認是你本人
security-proof-password_why = 請輸入目前的密碼，以查看及變更帳號安全設定。10 分鐘內不會再次詢問。
security-proof-sign_in_why = 請重新登入以查看及變更帳號安全設定，效力為 10 分鐘。
security-proof-continue = 繼續

security-totp-title = 驗證器應用程式
security-totp-name = 驗證器應用程式
security-totp-set_up = 設定驗證器應用程式
security-totp-replace = 更換
security-totp-none = 尚未設定驗證器應用程式。設定後，登入時除了密碼還需要手機上的驗證碼。
security-totp-is_set = 已設定驗證器應用程式。
security-totp-step_scan = 用驗證器應用程式（Google Authenticator、1Password、Authy 等）掃描這個條碼。
security-totp-step_type = 或在應用程式中輸入這組金鑰：
security-totp-qr_label = 將此帳號加入驗證器應用程式的 QR 碼
security-totp-code_label = 應用程式目前顯示的 6 位數驗證碼
security-totp-confirm = 啟用
security-totp-wrong_code = 驗證碼不符。請確認金鑰輸入正確、手機時間無誤，再輸入最新的驗證碼。
security-totp-expired = 金鑰未保留，請重新設定驗證器應用程式。
security-totp-added = 驗證器應用程式已設定。之後登入時會要求輸入它的驗證碼。
security-totp-removed = 已移除驗證器應用程式。
security-totp-remove_question = 要移除驗證器應用程式嗎？之後登入將不再要求它的驗證碼。

security-backup-title = 備用碼
security-backup-make = 產生備用碼
security-backup-regenerate = 產生新的備用碼
security-backup-made = 新的備用碼已產生，先前的備用碼已失效。
security-backup-shown_once = 請妥善保存這些備用碼。手機遺失時，每組可使用一次。它們只會顯示這一次。
security-backup-download = 下載為文字檔
security-backup-download_gone = 備用碼只能在產生後立即下載一次。如有需要，請產生新的備用碼。
security-backup-left = { $count ->
   *[other] 尚有 { $count } 組未使用的備用碼。
}
security-backup-none = 尚未產生備用碼。
security-backup-needs_other = 請先設定驗證器應用程式：備用碼需與它搭配使用。
security-backup-file_whose = { $product } 上 { $account } 的備用碼
security-backup-file_when = 產生於 { $when }
security-backup-file_once = 每組備用碼只能使用一次。請妥善保存此檔案。

security-passkeys-title = 通行金鑰
security-passkeys-added_at_sign_in = 通行金鑰在登入時於你要使用的裝置上新增。這裡列出它們，方便你移除不再使用的金鑰。
security-passkeys-unnamed = 通行金鑰
security-passkeys-removed = 已移除通行金鑰。
security-passkeys-remove_question = 要移除通行金鑰 { $name } 嗎？之後將無法再用它登入。

security-tokens-title = 個人存取權杖
security-tokens-intro = 權杖讓你自己的程式與工具以你的身分操作。請像密碼一樣保管每個權杖。
security-tokens-none = 尚無權杖。
security-tokens-new = 新增權杖
security-tokens-name = 名稱
security-tokens-expiry = 有效期限
security-tokens-days = { $count ->
   *[other] { $count } 天
}
security-tokens-never = 永不過期
security-tokens-expired = 已過期
security-tokens-create = 建立權杖
security-tokens-created = 權杖已建立。請立即複製：它只會顯示這一次。
security-tokens-value_label = 權杖 { $name }
security-tokens-shown_once = 只顯示這一次。請選取並複製到安全的地方。
security-tokens-copy = 複製
security-tokens-copied = 已複製
security-tokens-created_col = 建立時間
security-tokens-expires_col = 到期時間
security-tokens-rename = 重新命名
security-tokens-rename_label = { $name } 的新名稱
security-tokens-renamed = 權杖已重新命名為 { $name }。
security-tokens-delete = 刪除
security-tokens-delete_menu = 刪除…
security-tokens-delete_question = 要刪除權杖 { $name } 嗎？使用它的程式將停止運作。
security-tokens-deleted = 已刪除權杖 { $name }。
security-tokens-name_required = 請為權杖命名。
security-tokens-name_too_long = 名稱最多 { $max } 個字元。

security-sessions-missing = 需要 Logto { $version } 或更新版本，才能在這裡列出已登入的裝置並將其登出。
security-grants-missing = 需要 Logto { $version } 或更新版本，才能在這裡列出你授權的應用程式並撤銷授權。

security-sessions-title = 已登入的裝置
security-sessions-none = 目前沒有已登入的裝置。
security-sessions-signed_in = 登入於
security-sessions-browser_on = { $os } 上的 { $browser }
security-sessions-unknown_device = 不明的瀏覽器
security-sessions-end = 登出
security-sessions-end_menu = 登出…
security-sessions-end_question = 要登出 { $device } 嗎？該裝置需要重新登入。
security-sessions-ended = 已登出該裝置。
security-sessions-end_others = 登出其他所有地方
security-sessions-others_ended = 已登出其他所有地方，這個瀏覽器仍保持登入。
security-sessions-portal_elsewhere = { $count ->
    [0] 你只在這個瀏覽器登入了本入口網站。
   *[other] 你另外還在 { $count } 個瀏覽器登入了本入口網站。
}
security-sessions-this_device = 此裝置
security-portal-title = 本入口網站的登入工作階段
security-portal-this_session = 目前的工作階段
security-portal-last_active = 最近使用於
security-portal-end_question = 要將 { $device } 登出本入口網站嗎？該瀏覽器需要重新登入。
security-portal-ended = 已將該瀏覽器登出本入口網站。
security-grants-title = 已授權的應用程式
security-grants-none = 你尚未允許任何應用程式使用你的帳號。
security-grants-unknown_app = 某個應用程式
security-grants-revoke = 撤銷
security-grants-revoke_menu = 撤銷…
security-grants-revoke_question = 要撤銷 { $app } 的存取權嗎？它需要再次徵求你的同意。
security-grants-revoked = 已撤銷 { $app } 的存取權。

security-social-title = 社群帳號
security-social-none = 本網站未設定社群登入。
security-social-link = 連結 { $name }
security-social-is_linked = 已連結
security-social-linked = 帳號已連結，現在可以用它登入。
security-social-in_use = 該帳號已屬於其他人，因此無法連結到你的帳號。
security-social-expired = 連結未完成，請再試一次。
security-social-unlink_on_profile = 已連結的帳號可在個人資料頁面移除。

security-err-totp_in_use = 已設定驗證器應用程式。若要改用其他應用程式，請先移除目前的。
security-err-totp_invalid = 無法使用這組金鑰。請重新設定驗證器應用程式。
security-err-backup_alone = 備用碼需與驗證器應用程式或通行金鑰搭配使用。請先設定其中一項。
security-err-backup_in_use = 你仍有備用碼。產生新的備用碼即可取代。
security-err-token_name_taken = 已有同名的權杖，請換一個名稱。
security-err-invalid = 未被接受。請檢查後再試一次。
security-err-gone = 該項目已不存在。頁面顯示的是目前的狀態。
