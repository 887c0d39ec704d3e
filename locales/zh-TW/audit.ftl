audit-title = 稽核紀錄
audit-actor = 執行者
audit-actor_hint = 使用者 ID 或電子郵件
audit-action = 動作
audit-any = 全部
audit-organization = 組織
audit-target = 對象
audit-target_user = 對象使用者 ID
audit-result = 結果
audit-success = 成功
audit-failure = 失敗
audit-from = 起始日（UTC）
audit-to = 結束日（UTC）
audit-time = 時間
audit-ip = IP 位址
audit-user_agent = 瀏覽器
audit-system = 系統
audit-empty = 沒有符合篩選條件的紀錄。
audit-export_csv = 匯出 CSV
audit-export_jsonl = 匯出 JSON Lines

audit-intro = 透過此入口網站進行的每一項變更與每一次被拒絕的嘗試：誰、做了什麼、何時。
audit-event = 發生了什麼
audit-when = 時間
audit-more_filters = 更多篩選：對象、日期
audit-details = 詳細資料
audit-action_key = 動作代碼
audit-error_code = 錯誤代碼
audit-target_id = 對象 ID
audit-someone = 某人
audit-an_org = 某個組織
audit-did-other = { $outcome ->
    [tried] 嘗試變更 { $target }
   *[done] 變更了 { $target }
}
audit-name-other = 其他變更
audit-group-members = 成員
audit-group-invitations = 邀請
audit-group-users = 使用者目錄
audit-group-profile = 個人資料
audit-group-security = 登入與安全性
audit-group-protection = 防護與維護
audit-why-not_allowed = 對方無權在此執行這項操作。
audit-why-self = 無法對自己的帳號執行這項操作。
audit-why-last_admin = 組織至少需要一位管理員。
audit-why-csrf = 表單來自舊頁面或其他網站。
audit-why-busy = Logto 忙碌中，要求入口網站稍候。
audit-why-logto_down = 無法連線到 Logto，或 Logto 發生問題。
audit-why-unsupported = 這個 Logto 版本無法執行這項操作。
audit-why-role_type = 這個角色無法指派給人員。
audit-why-not_member = 此人不是該組織的成員。
audit-why-gone = 它已不存在。
audit-why-email_mismatch = 這份邀請是寄給另一個電子郵件地址的。
audit-why-password = 密碼錯誤。
audit-why-password_policy = 新密碼不符合密碼規則。
audit-why-reauthenticate = 必須先確認身分。
audit-why-in_use = 已有其他帳號使用。
audit-why-invitation_state = 這份邀請已不再有效。
audit-why-too_often = 短時間內嘗試太多次。
audit-why-refused = Logto 或入口網站拒絕了這項操作。

audit-name-auth_sign_in = 登入
audit-name-auth_sign_out = 登出
audit-name-security_csrf_refused = 來自舊頁面的表單被拒絕
audit-name-security_access_denied = 拒絕存取頁面
audit-name-security_rate_limited = 嘗試次數過多而暫停
audit-name-member_add = 新增成員
audit-name-member_roles_change = 變更成員角色
audit-name-member_roles_restore = 還原成員角色
audit-name-member_remove = 移除成員
audit-name-member_export = 匯出成員
audit-name-invitation_create = 寄出邀請
audit-name-invitation_resend = 重新寄出邀請
audit-name-invitation_revoke = 撤回邀請
audit-name-invitation_delete = 刪除邀請
audit-name-invitation_accept = 接受邀請
audit-name-profile_update_basics = 變更名稱或使用者名稱
audit-name-profile_update_profile = 變更個人資料
audit-name-profile_update_custom = 變更其他資料
audit-name-profile_password_change = 變更密碼
audit-name-profile_email_change = 變更電子郵件地址
audit-name-profile_phone_change = 變更電話號碼
audit-name-profile_identity_unlink = 解除連結社群帳號
audit-name-profile_delete_account = 刪除自己的帳號
audit-name-user_suspend = 停用使用者
audit-name-user_password_expire = 讓密碼過期
audit-name-user_unsuspend = 恢復使用者
audit-name-user_delete = 刪除使用者
audit-name-user_org_add = 將使用者加入組織
audit-name-user_org_remove = 將使用者移出組織
audit-name-user_role_assign = 指派全域角色
audit-name-user_role_remove = 移除全域角色
audit-name-user_export = 匯出使用者
audit-name-security_totp_enrol = 設定驗證器應用程式
audit-name-security_totp_remove = 移除驗證器應用程式
audit-name-security_backup_codes_generate = 產生備用碼
audit-name-security_passkey_remove = 移除通行金鑰
audit-name-security_mfa_reset = 重設兩步驟登入
audit-name-security_session_end = 結束工作階段
audit-name-security_sessions_end_others = 結束其他工作階段
audit-name-security_sessions_end_all = 由操作員在所有地方登出
audit-name-security_grant_revoke = 移除應用程式存取權
audit-name-security_token_create = 建立存取權杖
audit-name-security_token_rename = 重新命名存取權杖
audit-name-security_token_delete = 刪除存取權杖
audit-name-security_identity_link = 連結社群帳號
audit-name-security_avatar_upload = 上傳大頭貼
audit-name-security_reauthenticate = 再次確認身分
audit-name-audit_prune = 移除舊紀錄

audit-did-auth_sign_in = { $outcome ->
    [tried] 嘗試登入
   *[done] 登入了
}

audit-did-auth_sign_out = { $outcome ->
    [tried] 嘗試登出
   *[done] 登出了
}

audit-did-security_csrf_refused = { $outcome ->
    [tried] 送出了來自舊頁面或其他網站的表單，已被拒絕
   *[done] 送出了來自舊頁面或其他網站的表單，已被拒絕
}

audit-did-security_access_denied = { $outcome ->
    [tried] 嘗試開啟無權查看的頁面
   *[done] 開啟了無權查看的頁面
}

audit-did-security_rate_limited = { $outcome ->
    [tried] 因嘗試次數過多而被暫停
   *[done] 因嘗試次數過多而被暫停
}

audit-did-member_add = { $outcome ->
    [tried] { $has_roles ->
        [yes] 嘗試將 { $target } 以 { $roles } 身分加入 { $org }
       *[no] 嘗試將 { $target } 加入 { $org }
    }
   *[done] { $has_roles ->
        [yes] 將 { $target } 以 { $roles } 身分加入 { $org }
       *[no] 將 { $target } 加入 { $org }
    }
}

audit-did-member_roles_change = { $outcome ->
    [tried] { $has_roles ->
        [yes] 嘗試將 { $target } 在 { $org } 的角色設為 { $roles }
       *[no] 嘗試變更 { $target } 在 { $org } 的角色
    }
   *[done] { $has_roles ->
        [yes] 將 { $target } 在 { $org } 的角色設為 { $roles }
       *[no] 變更了 { $target } 在 { $org } 的角色
    }
}

audit-did-member_roles_restore = { $outcome ->
    [tried] 嘗試還原 { $target } 在 { $org } 的角色
   *[done] 還原了 { $target } 在 { $org } 的角色
}

audit-did-member_remove = { $outcome ->
    [tried] 嘗試將 { $target } 從 { $org } 移除
   *[done] 將 { $target } 從 { $org } 移除
}

audit-did-member_export = { $outcome ->
    [tried] 嘗試匯出 { $org } 的成員
   *[done] 匯出了 { $org } 的成員
}

audit-did-invitation_create = { $outcome ->
    [tried] { $has_roles ->
        [yes] 嘗試邀請 { $target } 以 { $roles } 身分加入 { $org }
       *[no] 嘗試邀請 { $target } 加入 { $org }
    }
   *[done] { $has_roles ->
        [yes] 邀請 { $target } 以 { $roles } 身分加入 { $org }
       *[no] 邀請 { $target } 加入 { $org }
    }
}

audit-did-invitation_resend = { $outcome ->
    [tried] 嘗試再次寄出給 { $target } 的邀請
   *[done] 再次寄出給 { $target } 的邀請
}

audit-did-invitation_revoke = { $outcome ->
    [tried] 嘗試撤回 { $target } 加入 { $org } 的邀請
   *[done] 撤回了 { $target } 加入 { $org } 的邀請
}

audit-did-invitation_delete = { $outcome ->
    [tried] 嘗試刪除 { $target } 加入 { $org } 的邀請
   *[done] 刪除了 { $target } 加入 { $org } 的邀請
}

audit-did-invitation_accept = { $outcome ->
    [tried] { $has_roles ->
        [yes] 嘗試以 { $roles } 身分接受加入 { $org } 的邀請
       *[no] 嘗試接受加入 { $org } 的邀請
    }
   *[done] { $has_roles ->
        [yes] 以 { $roles } 身分接受了加入 { $org } 的邀請
       *[no] 接受了加入 { $org } 的邀請
    }
}

audit-did-profile_update_basics = { $outcome ->
    [tried] 嘗試變更自己的名稱或使用者名稱
   *[done] 變更了自己的名稱或使用者名稱
}

audit-did-profile_update_profile = { $outcome ->
    [tried] 嘗試變更自己的個人資料
   *[done] 變更了自己的個人資料
}

audit-did-profile_update_custom = { $outcome ->
    [tried] 嘗試變更自己的其他資料
   *[done] 變更了自己的其他資料
}

audit-did-profile_password_change = { $outcome ->
    [tried] 嘗試變更自己的密碼
   *[done] 變更了自己的密碼
}

audit-did-profile_email_change = { $outcome ->
    [tried] 嘗試變更自己的電子郵件地址
   *[done] 變更了自己的電子郵件地址
}

audit-did-profile_phone_change = { $outcome ->
    [tried] 嘗試變更自己的電話號碼
   *[done] 變更了自己的電話號碼
}

audit-did-profile_identity_unlink = { $outcome ->
    [tried] 嘗試解除連結一個社群帳號
   *[done] 解除連結了一個社群帳號
}

audit-did-profile_delete_account = { $outcome ->
    [tried] 嘗試刪除自己的帳號
   *[done] 刪除了自己的帳號
}

audit-did-user_suspend = { $outcome ->
    [tried] 嘗試停用 { $target }
   *[done] 停用了 { $target }
}

audit-did-user_password_expire = { $outcome ->
    [tried] 嘗試讓 { $target } 的密碼過期
   *[done] 讓 { $target } 的密碼過期
}

audit-did-user_unsuspend = { $outcome ->
    [tried] 嘗試讓 { $target } 可以再次登入
   *[done] 讓 { $target } 可以再次登入
}

audit-did-user_delete = { $outcome ->
    [tried] 嘗試刪除 { $target }
   *[done] 刪除了 { $target }
}

audit-did-user_org_add = { $outcome ->
    [tried] { $has_roles ->
        [yes] 嘗試將 { $target } 以 { $roles } 身分加入 { $org }
       *[no] 嘗試將 { $target } 加入 { $org }
    }
   *[done] { $has_roles ->
        [yes] 將 { $target } 以 { $roles } 身分加入 { $org }
       *[no] 將 { $target } 加入 { $org }
    }
}

audit-did-user_org_remove = { $outcome ->
    [tried] 嘗試將 { $target } 從 { $org } 移除
   *[done] 將 { $target } 從 { $org } 移除
}

audit-did-user_role_assign = { $outcome ->
    [tried] { $has_roles ->
        [yes] 嘗試給予 { $target } 全域角色 { $roles }
       *[no] 嘗試給予 { $target } 一個全域角色
    }
   *[done] { $has_roles ->
        [yes] 給予 { $target } 全域角色 { $roles }
       *[no] 給予 { $target } 一個全域角色
    }
}

audit-did-user_role_remove = { $outcome ->
    [tried] { $has_roles ->
        [yes] 嘗試移除 { $target } 的全域角色 { $roles }
       *[no] 嘗試移除 { $target } 的一個全域角色
    }
   *[done] { $has_roles ->
        [yes] 移除了 { $target } 的全域角色 { $roles }
       *[no] 移除了 { $target } 的一個全域角色
    }
}

audit-did-user_export = { $outcome ->
    [tried] 嘗試匯出使用者清單
   *[done] 匯出了使用者清單
}

audit-did-security_totp_enrol = { $outcome ->
    [tried] 嘗試設定驗證器應用程式
   *[done] 設定了驗證器應用程式
}

audit-did-security_totp_remove = { $outcome ->
    [tried] 嘗試移除自己的驗證器應用程式
   *[done] 移除了自己的驗證器應用程式
}

audit-did-security_backup_codes_generate = { $outcome ->
    [tried] 嘗試產生新的備用碼
   *[done] 產生了新的備用碼
}

audit-did-security_passkey_remove = { $outcome ->
    [tried] 嘗試移除一把通行金鑰
   *[done] 移除了一把通行金鑰
}

audit-did-security_mfa_reset = { $outcome ->
    [tried] 嘗試重設 { $target } 的兩步驟登入
   *[done] 重設了 { $target } 的兩步驟登入
}

audit-did-security_session_end = { $outcome ->
    [tried] 嘗試結束一個工作階段
   *[done] 結束了一個工作階段
}

audit-did-security_sessions_end_others = { $outcome ->
    [tried] 嘗試登出其他所有裝置
   *[done] 登出了其他所有裝置
}

audit-did-security_sessions_end_all = { $outcome ->
    [tried] 嘗試讓 { $target } 在所有地方登出
   *[done] 讓 { $target } 在所有地方登出了
}

audit-did-security_grant_revoke = { $outcome ->
    [tried] 嘗試移除一個應用程式的存取權
   *[done] 移除了一個應用程式的存取權
}

audit-did-security_token_create = { $outcome ->
    [tried] 嘗試建立一個存取權杖
   *[done] 建立了一個存取權杖
}

audit-did-security_token_rename = { $outcome ->
    [tried] 嘗試重新命名一個存取權杖
   *[done] 重新命名了一個存取權杖
}

audit-did-security_token_delete = { $outcome ->
    [tried] 嘗試刪除一個存取權杖
   *[done] 刪除了一個存取權杖
}

audit-did-security_identity_link = { $outcome ->
    [tried] 嘗試連結一個社群帳號
   *[done] 連結了一個社群帳號
}

audit-did-security_avatar_upload = { $outcome ->
    [tried] 嘗試上傳大頭貼
   *[done] 上傳了大頭貼
}

audit-did-security_reauthenticate = { $outcome ->
    [tried] 嘗試再次確認自己的身分
   *[done] 再次確認了自己的身分
}

audit-did-audit_prune = { $outcome ->
    [tried] 嘗試移除舊的稽核紀錄
   *[done] 移除了舊的稽核紀錄
}
audit-group-orgs = 組織
audit-name-org_create = 建立組織
audit-name-org_update = 變更組織設定
audit-name-org_delete = 刪除組織
audit-name-org_jit_domain_add = 新增已驗證網域
audit-name-org_jit_domain_remove = 移除已驗證網域
audit-name-org_jit_roles_set = 設定即時加入角色
audit-did-org_create = { $outcome ->
    [tried] 嘗試建立組織 { $target }
   *[done] 建立了組織 { $target }
}
audit-did-org_update = { $outcome ->
    [tried] 嘗試變更 { $target } 的設定（{ $fields }）
   *[done] 變更了 { $target } 的設定（{ $fields }）
}
audit-did-org_delete = { $outcome ->
    [tried] 嘗試刪除組織 { $target }
   *[done] 刪除了組織 { $target }
}
audit-did-org_jit_domain_add = { $outcome ->
    [tried] 嘗試將 @{ $domain } 設為 { $target } 的已驗證網域
   *[done] 將 @{ $domain } 設為 { $target } 的已驗證網域
}
audit-did-org_jit_domain_remove = { $outcome ->
    [tried] 嘗試從 { $target } 移除已驗證網域 @{ $domain }
   *[done] 從 { $target } 移除了已驗證網域 @{ $domain }
}
audit-did-org_jit_roles_set = { $outcome ->
    [tried] { $has_roles ->
        [yes] 嘗試設定自行加入 { $target } 的人獲得 { $roles }
       *[no] 嘗試設定自行加入 { $target } 的人不獲得任何角色
    }
   *[done] { $has_roles ->
        [yes] 設定自行加入 { $target } 的人獲得 { $roles }
       *[no] 設定自行加入 { $target } 的人不獲得任何角色
    }
}
