clinics-home-book = 預約診所服務
clinics-home-book-desc = 查看各診所提供的服務及使用資格，然後為自己或你照顧的人預約時間。
clinics-home-mine = 我的預約
clinics-home-mine-desc = 查看、取消預約，或出示預約編號及二維碼。
clinics-home-staff = 診所：每日名單、櫃檯及叫號
clinics-home-staff-desc = 各診所的預約、出席、名額及時段，以及櫃檯預約、叫號控制台、輪候名單和雪櫃。
clinics-services = 此處提供的服務
clinics-no-services = 此服務點暫未有可預約的服務。
clinics-eligibility = 服務對象
clinics-see-times = 查看時間及預約
clinics-before-you-book = 預約前請注意
clinics-sign-in-to-book = 登入以預約時間
clinics-times = 可預約時間
clinics-no-times = 未來三星期已沒有可預約時間。請選擇其他診所。
clinics-time = 時間
clinics-places-left = 餘額
clinics-book = 預約
clinics-by-ballot = 以抽籤分配的時段
clinics-by-ballot-intro = 這些時段以公平抽籤分配，而非先到先得。開啟時段即可登記。
clinics-by-ballot-until = 登記截止
clinics-check-title = 核對你的預約
clinics-check-change = 選擇其他時間
clinics-check-confirm = 確認預約
clinics-full = 已滿
clinics-for-whom = 為誰預約
clinics-my-bookings = 我的預約
clinics-no-bookings = 你沒有預約。
clinics-find = 查找診所
clinics-add-to-calendar = 加入我的日曆（.ics）
clinics-reference = 預約編號
clinics-who = 姓名
clinics-service = 服務
clinics-when = 時間
clinics-where = 地點
clinics-status-booked = 已預約
clinics-status-cancelled = 已取消
clinics-status-attended = 已出席
clinics-status-no_show = 缺席
clinics-status-late = 遲到
clinics-booking = 預約
clinics-booked = 你的預約已確認
clinics-booked-message = 我們已將詳情發送給你。請在登記處出示預約編號或二維碼。
clinics-qr-label = 預約二維碼
clinics-qr-caption = 請在診所登記處出示此二維碼。
clinics-cancel = 取消此預約
clinics-cancel-confirm-title = 取消此預約？
clinics-cancel-confirm-explain = 你的名額會即時讓給其他人。如仍有空缺時間，你可以再次預約。
clinics-cancel-confirm-button = 是，取消預約
clinics-cancel-keep = 否，保留預約
clinics-cancelled = 你的預約已取消，名額已讓給其他人。
clinics-staff-title = 診所
clinics-show-day = 顯示當日
clinics-day-list = 當日名單
clinics-no-slots-day = 當日沒有應診時段。
clinics-capacity = 名額
clinics-booked-count = 已預約
clinics-pool-walkin = 保留予即場輪候
clinics-pool-elderly = 保留予65歲或以上人士
clinics-new-capacity = 新名額
clinics-save-capacity = 更改名額
clinics-attendance = 出席
clinics-attendance-choose = 請選擇…
clinics-find-booking = 尋找預約
clinics-find-booking-hint = 輸入預約編號或掃描預約上的二維碼
clinics-find-booking-button = 尋找
clinics-record = 記錄
clinics-sessions = 每週應診時段
clinics-weekday = 星期
clinics-valid = 有效期
clinics-new-session = 新增每週應診時段
clinics-start = 開始時間
clinics-end = 結束時間
clinics-slot-minutes = 每節分鐘
clinics-valid-from = 首日
clinics-valid-to = 最後一日
clinics-add-session = 新增時段
clinics-weekday-1 = 星期一
clinics-weekday-2 = 星期二
clinics-weekday-3 = 星期三
clinics-weekday-4 = 星期四
clinics-weekday-5 = 星期五
clinics-weekday-6 = 星期六
clinics-weekday-7 = 星期日
field-error-slot_not_found = 此時間不存在
error-slot_not_found-title = 此時間不存在
field-error-slot_full = 此時間已滿。請選擇其他時間
error-slot_full-title = 此時間已滿。請選擇其他時間
field-error-slot_closed = 此時間已停止預約
error-slot_closed-title = 此時間已停止預約
field-error-slot_past = 此時間已過
error-slot_past-title = 此時間已過
field-error-too_late = 此時間太近，不能預約。請選擇較後的時間
error-too_late-title = 此時間太近，不能預約。請選擇較後的時間
field-error-already_booked = 此人已有此服務的有效預約。請先取消或更改該預約
error-already_booked-title = 此人已有此服務的有效預約。請先取消或更改該預約
field-error-not_eligible_age = 此服務不適用於此人的年齡（記錄上須有出生日期）
error-not_eligible_age-title = 此服務不適用於此人的年齡（記錄上須有出生日期）
field-error-too_many_reschedules = 此預約不能再更改。請取消後重新預約
error-too_many_reschedules-title = 此預約不能再更改。請取消後重新預約
field-error-not_yours = 你不能為此人管理預約
error-not_yours-title = 你不能為此人管理預約
field-error-booking_not_active = 此預約已不再有效
error-booking_not_active-title = 此預約已不再有效
field-error-same_slot = 預約已在此時間
error-same_slot-title = 預約已在此時間
field-error-different_service = 請選擇同一服務的時間
error-different_service-title = 請選擇同一服務的時間
field-error-capacity_number = 請輸入 0 至 10000 的整數作為名額
field-error-capacity_below_bookings = 名額不能少於已預約的 { $count } 個加上保留的名額
field-error-number_between = 請輸入 { $min } 至 { $max } 的整數
field-error-time_format = 請輸入時間，例如 09:30
field-error-end_after_start = 結束時間必須在開始時間之後
field-error-date_range = 最後一日必須在首日之後，並在一年之內
field-error-pools_exceed_capacity = 保留名額不能多於總名額
notify-clinic-booked-subject = 預約已確認：((service))，((when))［((reference))］
notify-clinic-booked-body =
    ((name))：
    
    你的預約已確認。
    服務：((service))
    診所：((clinic))
    時間：((when))
    預約編號：((reference))
    
    查看、取消或更改預約：((link))
notify-clinic-closure-rebooked-subject = 因((reason))，((service))已改期
notify-clinic-closure-rebooked-body =
    因((reason))，你於((old))的((service))預約已取消。
    
    我們已優先為你保留名額：((new))，預約編號((reference))。
    如接受此時間，毋須採取任何行動。查看或取消：((link))
    選擇其他時間：((change))
notify-clinic-closure-cancelled-subject = 因((reason))，((service))已取消
notify-clinic-closure-cancelled-body =
    因((reason))，你於((old))的((service))預約已取消。
    
    暫時未有合適的時間。請選擇其他時間：((link))
answer-title = 你的預約
answer-confirm-button = 是，我會出席
answer-cancel-button = 否，取消我的預約
answer-cancel-explain = 取消後，你的名額會即時讓給其他人。
answer-confirmed = 謝謝。你的出席已確認。
answer-cancelled = 你的預約已取消，名額已交回。
field-error-link_forged = 此連結無效。請使用訊息中的連結，或登入管理預約
field-error-link_expired = 預約時間已過，此連結已失效
notify-clinic-reminder-24h-subject = 提示：((day))((when))的((service))
notify-clinic-reminder-24h-body =
    你的預約：((clinic))，((service))，((when))。預約編號((reference))。
    
    你會出席嗎？會：((yes))
    如未能出席，請取消，讓其他人使用名額：((no))
notify-clinic-reminder-2h-subject = 提示：((when))的((service))
notify-clinic-reminder-2h-body =
    你的預約：((clinic))，((service))，((when))。預約編號((reference))。
    未能出席？請在此取消：((no))
counter-title = 櫃檯預約
counter-find = 查找人士
counter-hkid = 香港身份證號碼
counter-hkid-hint = 按身份證所示，例如 A123456(3)。只用作查找，並以遮蓋形式儲存。
counter-find-button = 查找
counter-not-found = 沒有以這個身份證號碼登記的人士。請先登記，再為其預約。
counter-register = 登記人士
counter-name-en = 英文姓名
counter-name-zh = 中文姓名
counter-birth-date = 出生日期
counter-sex = 性別
counter-sex-f = 女
counter-sex-m = 男
counter-phone = 香港手提電話號碼（選填，用作提示）
counter-register-button = 登記
counter-show-times = 顯示時間
counter-next-person = 服務下一位
field-error-birth_date = 請輸入出生日期，不可是將來的日期
field-error-hk_mobile = 請輸入8位數字的香港手提電話號碼，例如 9123 4567
change-title = 更改時間
change-current = 現時時間
change-left = 尚可更改 { $count } 次
change-none-left = 這項預約不能再更改。請取消後重新預約。
change-move = 改到這個時間
change-done = 你的預約已改到新的時間。
clinics-change = 更改時間

field-error-attendance_choose = 請為 { $reference } 選擇已出席、遲到或缺席
field-error-no_show_before_time = 預約時間未到，{ $reference } 不能記錄為缺席
field-error-booking_not_found = 沒有編號為 { $value } 的預約
notify-clinic-cancelled-subject = 預約已取消：((service))，((when))［((reference))］
notify-clinic-cancelled-body =
    ((name))：
    
    你的預約已取消，名額已交回。
    服務：((service))
    診所：((clinic))
    時間：((when))
    預約編號：((reference))
    
    如你沒有要求取消，或想再次預約：((link))
notify-clinic-changed-subject = 預約已更改：((service))，改為((when))［((reference))］
notify-clinic-changed-body =
    ((name))：
    
    你的預約已改到新的時間。
    服務：((service))
    診所：((clinic))
    新時間：((when))
    原來時間：((old))
    預約編號：((reference))
    
    查看、取消或更改預約：((link))
