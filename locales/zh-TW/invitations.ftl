invitations-title = 邀請
invitations-heading = 邀請 · { $org }
invitations-copy = 複製
invitations-copied = 已複製
invitations-link_for = 邀請連結：

invitations-no_connector-title = 目前不會以電子郵件寄送邀請。
invitations-no_connector-body = 此入口網站尚無法寄送電子郵件，因此您邀請的人不會收到郵件。請複製下方每個人的邀請連結，自行傳送給對方。設定好電子郵件後，邀請會再次以郵件寄送。

invitations-status-pending = 待接受
invitations-status-accepted = 已接受
invitations-status-expired = 已過期
invitations-status-revoked = 已撤銷

invitations-form-heading = 邀請成員
invitations-form-emails = 電子郵件地址
invitations-form-emails_hint = 每行一個，或以逗號分隔。一次最多 { $max } 個。
invitations-form-file = 或上傳 CSV 檔案
invitations-form-file_hint = 欄位：email,roles。多個角色名稱以分號分隔（member;admin）。沒有填寫角色的列會套用下方選擇的角色。
invitations-form-roles = 組織角色
invitations-form-no_roles = 此租戶尚未建立組織角色：受邀者加入後不會有任何角色。
invitations-form-expiry = 有效天數
invitations-form-expiry_hint = 超過這個天數後，邀請連結就會失效。
invitations-form-submit = 邀請成員
invitations-form-sending = 正在寄出邀請…
invitations-form-upload_unreadable = 無法讀取表單。請重新整理頁面後再試一次。
invitations-form-file_too_large = 檔案超過 { $kb } KB。請分成較小的檔案。
invitations-form-file_and_emails = 請輸入地址或上傳檔案，不要同時使用兩者。
invitations-form-csv_unclosed_quote = 檔案第 { $line } 行的引號沒有結束。
invitations-form-csv_not_utf8 = 檔案不是 UTF-8 文字。請另存為「CSV UTF-8」後再上傳。
invitations-form-csv_empty = 檔案中沒有任何資料列。
invitations-form-emails_required = 請至少輸入一個電子郵件地址，或上傳 CSV 檔案。
invitations-form-too_many = 一次最多只能邀請 { $max } 人；這份清單有 { $count } 人。請分成較小的清單。
invitations-form-roles_unknown = 所選的某個角色已不存在。請從清單中重新選擇。
invitations-form-expiry_invalid = 請輸入 1 到 { $max } 之間的整數天數。

invitations-result-heading = 結果
invitations-result-line = 行
invitations-result-outcome = 結果
invitations-result-invited = 已邀請
invitations-result-already_member = 已是成員
invitations-result-already_invited = 已有邀請
invitations-result-invalid_address = 地址無效
invitations-result-duplicate = 重複列出
invitations-result-unknown_roles = 未知的角色
invitations-result-failed = 未邀請
invitations-result-already_member_detail = 此人已經是組織成員。
invitations-result-already_invited_detail = 此地址已有一份待接受的邀請；如有需要，請在下方清單中重新寄送。
invitations-result-invalid_address_detail = 這不是有效的電子郵件地址。
invitations-result-duplicate_detail = 此地址在清單前面已出現過，只會邀請一次。
invitations-result-unknown_roles_detail = 沒有名為以下的組織角色：{ $roles }。
invitations-result-roles_changed = 組織、所選的角色或您自己的帳號已不存在。
invitations-result-retry_hint = 部分資料列因為帳號服務沒有及時回應而失敗。這些地址已放回輸入框：請稍後再寄一次。
invitations-result-links = 需要分享的連結
invitations-result-links_hint = 這些人沒有收到郵件。每人一行：email,連結。
invitations-result-copy_links = 複製所有連結

invitations-delivery-emailed = 已寄出邀請郵件。
invitations-delivery-no_connector = 未寄出郵件：請複製連結，自行傳送給對方。
invitations-delivery-rate_limited = 邀請已建立，但剛才寄給此地址的訊息太多：請複製連結自行傳送，或稍後再重新寄送。
invitations-delivery-failed = 邀請已建立，但郵件無法寄出：請複製連結自行傳送，或稍後再重新寄送。

invitations-list-heading = 所有邀請
invitations-list-status = 狀態
invitations-list-all = 全部
invitations-list-search = 依電子郵件搜尋
invitations-list-none = 目前還沒有邀請。
invitations-list-no_match = 沒有符合這些篩選條件的邀請。
invitations-list-email = 電子郵件
invitations-list-roles = 角色
invitations-list-inviter = 邀請人
invitations-list-created = 建立時間
invitations-list-expires = 到期時間
invitations-list-link = 連結

invitations-action-resend = 重新寄送
invitations-action-revoke = 撤銷
invitations-action-delete = 刪除
invitations-action-resent = 已重新寄送邀請郵件給 { $email }。
invitations-action-resend_no_connector = 沒有寄出郵件給 { $email }：此入口網站尚無法寄送電子郵件。請複製邀請連結，自行傳送給對方：{ $link }
invitations-action-revoked = 已撤銷給 { $email } 的邀請。其連結現在會顯示邀請已被撤回。
invitations-action-deleted = 已刪除給 { $email } 的邀請。
invitations-action-changed_meanwhile = 這份邀請在此期間已變更（已接受、已撤銷或已過期）。清單會顯示它目前的狀態。
invitations-action-gone = 這份邀請已不存在。
invitations-action-resend_ended = 給 { $email } 的邀請狀態為「{ $status }」：只有待接受的邀請可以重新寄送。請改為重新邀請此人。
invitations-action-revoke_ended = 給 { $email } 的邀請狀態為「{ $status }」：只有待接受的邀請可以撤銷。
invitations-action-delete_pending = 給 { $email } 的邀請仍待接受：請先撤銷，讓對方的連結顯示邀請已被撤回。
invitations-action-delete_accepted = 給 { $email } 的邀請已被接受：它會保留下來，作為此人加入方式的紀錄。

invitations-landing-switch_account = 以 { $invitee } 登入
invitations-landing-or_steps = 或依照下列步驟：
invitations-landing-title = 加入 { $org } 的邀請
invitations-landing-unknown_title = 找不到邀請
invitations-landing-unknown = 這個邀請連結無效。請確認您複製了完整的連結，或向該組織索取新的邀請。
invitations-landing-organization = 組織
invitations-landing-invitee = 受邀的電子郵件
invitations-landing-expired_on = 已過期
invitations-landing-accept_anonymous = 若要接受，請使用受邀的電子郵件地址（{ $invitee }）登入或建立帳號。
invitations-landing-accept_sign_in = 接受並登入
invitations-landing-accept_signed_in = 您目前以 { $my_email } 登入。
invitations-landing-accept = 接受邀請
invitations-landing-mismatch = 您目前以 { $my_email } 登入，但這份邀請是給 { $invitee } 的。只有該地址可以接受。
invitations-landing-mismatch_no_email = 您的帳號沒有電子郵件地址，但這份邀請是給 { $invitee } 的。只有該地址可以接受。
invitations-landing-retry_step_sign_out = 使用下方的按鈕登出。
invitations-landing-retry_step_open = 再次開啟這個邀請連結。
invitations-landing-retry_step_sign_in = 選擇「接受並登入」，並使用 { $invitee }。
invitations-landing-link = 邀請連結
invitations-landing-sign_out = 登出
invitations-landing-accepted_by_you = 您已接受這份邀請：您現在是 { $org } 的成員。
invitations-landing-continue = 繼續
invitations-landing-accepted = 這份邀請已經被接受。
invitations-landing-expired = 這份邀請已過期。請向 { $inviter } 索取新的邀請。
invitations-landing-expired_no_inviter = 這份邀請已過期。請向 { $org } 的管理員索取新的邀請。
invitations-landing-revoked = 這份邀請已被 { $org } 撤回。如果您認為這是誤會，請與他們聯絡。
invitations-landing-joined = 歡迎：您已加入 { $org }。
invitations-landing-joined_unnamed = 歡迎：您已加入該組織。

invitations-list-search_hint = 輸入地址的一部分即可。
invitations-action-revoke_question = 要撤銷給 { $email } 的邀請嗎？它的連結將會失效。
invitations-action-delete_question = 要永久刪除給 { $email } 的邀請嗎？

invitations-delivery-unconfirmed = 入口網站在要求寄出這封郵件時重新啟動，郵件可能沒有寄出。若對方沒有收到，請從清單重新寄送。
invitations-batch-heading = 批次邀請
invitations-batch-queued = 等待開始…
invitations-batch-running = 已完成 { $done } / { $total }…
invitations-batch-finished = { $total ->
   *[other] 已完成：全部 { $total } 列都處理完畢。
}
invitations-batch-started = 開始於
invitations-batch-ended = 完成於
invitations-batch-leave_hint = 此頁面會自動更新。您可以離開：即使入口網站重新啟動，批次仍會繼續，您可以在邀請頁面再次找到它。
invitations-batch-refresh = 重新整理
invitations-batch-retry = 需要重新邀請的地址
invitations-batch-retry_hint = 帳號服務未能及時回應這些地址。請稍後將它們貼到邀請表單。
invitations-batch-copy_retry = 複製這些地址
invitations-batch-back = 返回邀請
invitations-batch-recent = 最近的批次
invitations-batch-recent_running = 已完成 { $done } / { $total }
invitations-batch-recent_finished = { $total ->
   *[other] { $total } 列，已完成
}
invitations-batch-view = 查看批次
invitations-batch-inviter_lost_access = 批次已停止：發起者已無權邀請人員加入此組織。以下列已完成，其餘未寄出。
