waitlist-mine = 我的輪候名單
waitlist-offers = 為你預留的名額
waitlist-none = 你未有登記任何輪候名單。
waitlist-position = 輪候位置
waitlist-estimate = 預計輪候時間
waitlist-range = 大概介乎
waitlist-basis = 根據過去90日騰出的 { $count } 個名額估算
waitlist-no-estimate = 暫未有足夠紀錄估算
waitlist-leave = 退出名單
waitlist-from-ballot = 抽籤輪候名單（按抽籤次序）
waitlist-status-waiting = 輪候中
waitlist-status-offered = 已預留名額
waitlist-status-booked = 已預約
waitlist-status-left = 已退出
waitlist-status-removed = 已移除
waitlist-joined = 你已登記輪候。有名額騰出時，我們會為你預留並通知你。
waitlist-left = 你已退出輪候名單。
waitlist-accepted = 你已接受名額，預約已確認。
waitlist-declined = 你已婉拒名額，仍會留在輪候名單上。
waitlist-join-heading = 沒有合適的時間？
waitlist-join-help = 登記輪候。有名額騰出時，我們會為你預留並發訊息通知你，你須在短時間內確認接受。
waitlist-join = 登記輪候
waitlist-offer-title = 為你預留了一個名額
waitlist-answer-by = 請在 { $time } 前回覆，逾時名額會轉給下一位。
waitlist-accept = 接受這個名額
waitlist-decline = 婉拒
waitlist-offer-pending = 等待你的回覆
waitlist-offer-accepted = 已接受
waitlist-offer-declined = 已婉拒
waitlist-offer-expired = 已過期（未有及時回覆）
waitlist-offer-withdrawn = 已撤回
waitlist-staff-title = 輪候名單
waitlist-staff-none = 這間診所現時沒有人輪候。
waitlist-staff-waiting = 輪候人士（按分配名額的次序）
waitlist-joined-at = 登記時間
waitlist-remove = 移除
waitlist-recent-offers = 最近的名額預留
waitlist-no-offers = 暫未有預留。
waitlist-offered-at = 預留時間
waitlist-expires = 回覆限期
field-error-already_waiting = 此人已在這裡輪候這項服務
field-error-offer_not_pending = 這個名額已回覆，或已轉給其他人
field-error-offer_expired = 接受名額的時限已過，名額已轉給下一位
notify-clinic-offer-subject = 有名額為你預留：((service))，((when))
notify-clinic-offer-body =
    ((name))你好：
    
    有名額騰出，我們正為你預留。
    服務：((service))
    診所：((clinic))
    時間：((when))
    
    請在 ((expires)) 前接受或婉拒：((link))
    如未能及時回覆，名額會轉給下一位。
notify-clinic-no-show-warning-subject = 你錯過了診所預約
notify-clinic-no-show-warning-body =
    ((name))你好：
    
    紀錄顯示你在過去180日內有 ((count)) 次未有出席預約。
    如未能出席，請取消預約，讓其他人使用名額。180日內缺席兩次，90日內的抽籤優先次序會降低。
    如紀錄有誤，請聯絡診所提出上訴。
notify-clinic-no-show-penalty-subject = 因缺席預約，抽籤優先次序降低
notify-clinic-no-show-penalty-body =
    ((name))你好：
    
    你在過去180日內有 ((count)) 次未有出席預約。在 ((until)) 前，診所抽籤時你會排在其他人之後。
    如缺席並非你的責任，請聯絡診所提出上訴。
notify-clinic-offer-expired-subject = 名額預留已過期：((service))，((when))
notify-clinic-offer-expired-body =
    ((name))你好：
    
    我們曾為你預留名額，但未能及時收到你的回覆，名額已給下一位。
    服務：((service))
    診所：((clinic))
    時間：((when))
    
    ((then))
clinic-offer-expired-waiting = 你仍在輪候名單上。
clinic-offer-expired-removed = 你已多次未有回覆名額預留，因此已不在輪候名單上。你可隨時再次加入。
