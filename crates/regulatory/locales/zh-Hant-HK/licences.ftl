reg-lic-title = 牌照
reg-lic-premises = 處所
reg-lic-issued = 發出日期
reg-lic-history = 紀錄
reg-lic-when = 時間
reg-lic-action = 行動
reg-lic-reason = 理由
reg-lic-legal-basis = 法律依據
reg-lic-legal-basis-hint = 所依據的條文，例如第138章第14條
reg-lic-act = 就此牌照採取行動
reg-lic-suspend = 暫時吊銷
reg-lic-reinstate = 恢復
reg-lic-surrender = 記錄交回
reg-lic-propose-revoke = 建議撤銷
reg-lic-pending-revocation = 已建議撤銷
reg-lic-second-officer = 須由另一名並非提出建議的牌照經理作出決定。
reg-lic-approve-revoke = 批准撤銷
reg-lic-reject-revoke = 否決撤銷
reg-lic-renewal = 續期
reg-lic-renew-title = 牌照續期
reg-lic-renew-lead = 現在續期，牌照有效期至 { $date }。
reg-lic-pay-renew = 繳付 { $amount } 並續期
reg-lic-renew-closed = 此牌照現時不能網上續期：網上續期於屆滿前90天開始，並於牌照失效後30天內仍可辦理。
reg-lic-renewed = 已續期：牌照有效期至 { $date }。
reg-lic-action-new = 批出
reg-lic-action-renew = 續期
reg-lic-action-amend = 修訂
reg-lic-action-suspend = 暫時吊銷
reg-lic-action-reinstate = 恢復
reg-lic-action-revoke = 撤銷
reg-lic-action-surrender = 交回
reg-lic-action-lapse = 失效
reg-lic-done-suspend = 牌照已暫時吊銷，並已通知持牌人。
reg-lic-done-reinstate = 牌照已恢復，並已通知持牌人。
reg-lic-done-surrender = 已記錄交回牌照。
reg-lic-done-propose-revoke = 已建議撤銷，須由另一名牌照經理決定。
reg-lic-done-approve-revoke = 牌照已撤銷，並已通知持牌人。
reg-lic-done-reject-revoke = 撤銷建議已被否決。
field-error-reason_missing = 請輸入理由
field-error-legal_basis_missing = 請輸入法律依據
field-error-needs_second_officer = 撤銷須由第二名人員決定：請改為提出建議
field-error-transition_not_allowed = 牌照在此狀態下不能進行此行動
field-error-licence_changed = 牌照在此期間有所更改，請核對後再試
field-error-proposal_pending = 此牌照已有撤銷建議
field-error-no_proposal = 此牌照沒有撤銷建議
field-error-same_officer = 提出撤銷建議的人員不能同時批准
field-error-not_allowed = 你的職務不容許此行動
field-error-renewal_not_open = 此牌照現時不能網上續期
field-error-licence_not_found = 沒有此牌照
field-error-licence_exists = 牌照已存在
notify-regulatory-licence-suspend-subject = 牌照已暫時吊銷：((licence))
notify-regulatory-licence-suspend-body =
    ((name))：

    牌照 ((licence)) 已暫時吊銷：((detail))。詳情見 ((link))。
notify-regulatory-licence-reinstate-subject = 牌照已恢復：((licence))
notify-regulatory-licence-reinstate-body =
    ((name))：

    牌照 ((licence)) 已恢復。詳情見 ((link))。
notify-regulatory-licence-surrender-subject = 牌照已交回：((licence))
notify-regulatory-licence-surrender-body =
    ((name))：

    我們已記錄牌照 ((licence)) 已交回。
notify-regulatory-licence-revoke-subject = 牌照已撤銷：((licence))
notify-regulatory-licence-revoke-body =
    ((name))：

    牌照 ((licence)) 已撤銷：((detail))。你可在21天內提出上訴。詳情見 ((link))。
notify-regulatory-licence-renew-subject = 牌照已續期：((licence))
notify-regulatory-licence-renew-body =
    ((name))：

    牌照 ((licence)) 已續期，有效期至 ((expires))。
notify-regulatory-licence-lapse-subject = 牌照已失效：((licence))
notify-regulatory-licence-lapse-body =
    ((name))：

    牌照 ((licence)) 已於 ((expires)) 屆滿而未有續期，現已失效。你仍可於30天內在 ((link)) 網上續期。
notify-regulatory-renewal-reminder-subject = 請於 ((expires)) 前為牌照 ((licence)) 續期
notify-regulatory-renewal-reminder-body =
    ((name))：

    牌照 ((licence)) 將於 ((expires)) 屆滿，尚餘 ((detail)) 天。請在 ((link)) 網上續期。
