site-name = 公共衞生營運系統
department-name = 衞生署（模擬示範）
skip-to-content = 跳至主要內容
nav-language = 語言
nav-footer = 網站連結
nav-home = 主頁
footer-synthetic = PHOS 示範系統。所有人士、預約及個案均為模擬資料，並無使用真實個人資料。

home-title = 公共衞生服務
home-intro = 查找衞生署服務、查看開放時間，以及使用我們的開放數據。
home-for-public = 市民服務
home-for-partners = 合作夥伴及研究人員
home-for-staff = 職員專用
home-card-service-points = 查找服務點
home-card-service-points-desc = 按地區查找牙科診所、長者健康中心及母嬰健康院。
home-card-calendar = 公眾假期及服務暫停
home-card-calendar-desc = 公眾假期，以及因颱風及黑色暴雨而暫停的服務。
home-card-api = 開放應用程式介面
home-card-api-desc = PHOS JSON 介面的 OpenAPI 3.1 說明文件。
home-card-account = 我的帳戶
home-card-account-desc = 以一次性驗證碼登入，更新個人資料及為你照顧的人管理服務。
home-card-staff = 職員主頁
home-card-staff-desc = 登入使用你的角色工具：帳戶、審計記錄、合作夥伴、寄件匣。
home-card-outbox = 通知寄件匣
home-card-outbox-desc = PHOS 發出的訊息及每則是否已送達。

closure-in-force = 部分服務現正暫停
closure-see-details = 查看暫停的服務及暫停時間
closure-territory-wide = 全港各區
closure-kind = 原因
closure-where = 地點
closure-from = 由
closure-until = 至
closure-until-lifted = 直至另行通知
closure-kind-typhoon_8 = 八號或以上熱帶氣旋警告信號
closure-kind-black_rainstorm = 黑色暴雨警告信號
closure-kind-other = 特別暫停

calendar-title = 公眾假期及服務暫停
calendar-intro = 衞生署服務在公眾假期，以及八號颱風信號或黑色暴雨警告生效期間暫停。
calendar-closures = 現正生效及已公布的暫停
calendar-no-closures = 現時沒有生效或已公布的服務暫停。
calendar-holidays = { $year } 年公眾假期
calendar-choose-year = 選擇年份
calendar-date = 日期
calendar-holiday = 假期
calendar-sundays = 每個星期日亦是公眾假期。

sp-title = 查找服務點
sp-intro = 選擇地區或服務類別以縮窄搜尋範圍。
sp-district = 地區
sp-any-district = 所有地區
sp-kind = 服務
sp-any-kind = 所有服務
sp-kind-dental = 牙科診所（公眾牙科服務）
sp-kind-ehc = 長者健康中心
sp-kind-mchc = 母嬰健康院
sp-kind-vaccination = 疫苗接種中心
sp-search = 顯示服務點
sp-results = 共 { $count } 個服務點
sp-none = 沒有符合的服務點。請選擇其他地區或服務。
sp-name = 名稱
sp-address = 地址

outbox-title = 通知寄件匣
outbox-intro = PHOS 已排隊及發出的訊息，最新的在前。收件人資料已遮蔽。
outbox-empty = 暫時沒有訊息。
outbox-created = 排隊時間
outbox-channel = 渠道
outbox-to = 收件人
outbox-subject = 主旨
outbox-status = 狀態
outbox-attempts = 嘗試次數
outbox-status-queued = 排隊中
outbox-status-sending = 傳送中
outbox-status-delivered = 已送達
outbox-status-temporary_failure = 暫時失敗（將重試）
outbox-status-permanent_failure = 永久失敗

error-prefix = 錯誤：
error-summary-title = 出現問題
error-go-home = 返回主頁
error-status = 狀態
error-reference = 參考編號
error-generic-advice = 請稍後再試。如問題持續，請聯絡我們並提供以下參考編號。
error-not_found-title = 找不到網頁
error-not_found-advice = 如你自行輸入網址，請檢查是否正確；如你貼上網址，請確認已複製完整網址。
error-bad_request-title = 無法理解這項要求
error-bad_request-advice = 請檢查你輸入的資料，然後再試。
error-validation_failed-title = 部分資料無效
error-unauthorized-title = 你需要登入
error-forbidden-title = 你沒有權限瀏覽此網頁
error-forbidden-advice = 此網頁只供獲授權的職員使用。
error-too_many_requests-title = 要求次數過多
error-too_many_requests-advice = 請稍候片刻再試。
error-service_unavailable-title = 服務暫時未能提供
error-internal-title = 抱歉，服務出現問題
error-method_not_allowed-title = 此處不容許這項操作
error-request_timeout-title = 要求處理時間過長
error-conflict-title = 要求與目前狀態有衝突
error-payload_too_large-title = 你傳送的內容過大
error-payload_too_large-advice = 請傳送較小的檔案或較少的文字，然後再試。
error-invalid_encoding-title = 無法讀取表格
error-invalid_encoding-advice = 部分字元不是有效文字。請重新輸入後再提交。
error-unsupported_media_type-title = 不接受此類內容

field-error-unknown_district = 請從清單中選擇地區（收到「{ $value }」）
field-error-unknown_kind = 請從清單中選擇服務（收到「{ $value }」）
field-error-year_out_of_range = 年份必須介乎 2024 至 2027 年
field-error-invalid_date = 請輸入 2024 至 2027 年內的有效日期，例如 2025-03-14
field-error-invalid_datetime = 請輸入日期及時間，例如 2025-03-14T09:30:00+08:00
field-error-out_of_range = 數字超出範圍

notify-test-subject = PHOS 測試訊息
notify-test-body =
    ((name))：
    
    這是公共衞生營運系統發出的測試訊息。如你收到此訊息，即表示電郵傳送正常。
    
    ((base_url))

closures-title = 暫停服務
closures-intro = 在八號颱風信號或黑色暴雨警告發出時宣布暫停服務。暫停期間的預約會即時取消，並以各人的語言通知，同時安排在下一個合適時段的名額。
closures-declare = 宣布暫停服務
closures-until-hint = 信號除下前請留空；除下後再解除暫停。
closures-note = 備註（只供職員參閱）
closures-declare-button = 宣布暫停並取消預約
closures-recent = 最近的暫停
closures-lift = 解除（信號已除下）
field-error-invalid_datetime_local = 請輸入日期及時間
home-card-closures = 暫停服務
home-card-closures-desc = 宣布颱風及黑色暴雨暫停服務；受影響的預約會被取消並重新安排。

# Waits and durations (web::text)
wait-now = 少於一分鐘
wait-about-minutes = 約 { $count } 分鐘
wait-under-a-day = 少於一日
wait-about-days = 約 { $count } 日
wait-about-weeks = 約 { $count } 星期
wait-about-months = 約 { $count } 個月
duration-hours = { $hours } 小時 { $minutes } 分鐘
duration-minutes = { $minutes } 分鐘
duration-seconds = { $seconds } 秒

## Role homes (journeys)
home-staff-tools = 前往你的職員工具
staff-home-tools = 你的工具
access-rule-public = 任何人
access-rule-citizen = 已登入的市民
access-rule-any-staff = 任何職員
access-rule-partner = 具備 { $scope } 權限範圍的合作夥伴
access-rule-device = 以自身金鑰認證的已登記裝置

## 長列表分頁
pager-label = 頁數
pager-showing = 顯示第 { $from }–{ $to } 項，共 { $total } 項
pager-prev = 上一頁
pager-next = 下一頁

## 寄件匣：搜尋及單一訊息
outbox-search-recipient = 收件人包含
outbox-template = 範本
outbox-all = 全部
outbox-search = 搜尋
outbox-read = （閱讀訊息）
outbox-message-title = 寄件匣訊息
outbox-message-audited = 閱讀訊息會記錄在審計記錄中。
outbox-back = 返回寄件匣
outbox-body = 訊息內容
day-today = 今天
day-tomorrow = 明天
day-on = { $date }
