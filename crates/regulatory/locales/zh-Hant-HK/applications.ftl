reg-app-home-title = 牌照及申請
reg-app-home-lead = 以同一帳戶申請牌照、跟進申請及查看所持牌照。
reg-app-apply = 申請牌照
reg-app-my-applications = 你的申請
reg-app-my-licences = 你的牌照
reg-app-none = 你尚未提出申請。
reg-app-no-licences = 你尚未持有牌照。
reg-app-reference = 個案編號
reg-app-type = 牌照類別
reg-app-status = 狀態
reg-app-waiting-for = 我們正等待的資料
reg-app-licence-number = 牌照號碼
reg-app-expires = 屆滿日期
reg-app-choose-title = 你想申請哪一類牌照？
reg-app-start = 開始申請
reg-app-licensee = 持牌人
reg-app-licensee-kind = 持牌人是
reg-app-company = 公司
reg-app-individual = 個人
reg-app-licensee-name-en = 英文名稱
reg-app-licensee-name-zh = 中文名稱
reg-app-br-number = 商業登記號碼（8位數字）
reg-app-premises = 處所
reg-app-premises-name-en = 處所英文名稱
reg-app-premises-name-zh = 處所中文名稱
reg-app-address-en = 英文地址
reg-app-address-zh = 中文地址
reg-app-district = 地區
reg-app-choose = 請選擇…
reg-app-start-date = 處所何時開業？
reg-app-start-date-hint = 日、月、年，例如 15/01/2027
reg-app-responsible = 負責人
reg-app-responsible-hint = 負責該處所的註冊專業人員。我們會核對名冊。
reg-app-responsible-name = 名冊上的全名
reg-app-responsible-number = 註冊編號
reg-app-fee = 費用
reg-app-total = 總額
reg-app-fake-payment = 本示範的付款經由模擬付款服務處理，不會收取任何款項。
reg-app-save = 儲存，稍後再填
reg-app-pay-submit = 核對、繳付 { $amount } 並提交
reg-app-documents = 文件
reg-app-uploaded-file = 已上載
reg-app-upload = 上載
reg-app-progress = 申請進度
reg-app-current = 現階段
reg-app-granted = 你的申請已獲批准，牌照已列於你的牌照頁。
reg-app-refused = 你的申請被拒絕。我們寄出的信件載有理由及上訴方法。
reg-app-answer = 你的回覆
reg-app-send-answer = 送出回覆
reg-app-paid = 已付款
reg-app-saved = 你的答案已儲存。
reg-app-submitted = 你的申請已提交，我們已發出確認。
reg-app-uploaded = 文件已上載。
reg-app-answered = 謝謝，你的回覆已交予負責人員。
reg-app-status-draft = 草稿
reg-app-status-submitted = 已提交
reg-app-status-screening = 初步審查
reg-app-status-assessment = 評估
reg-app-status-inspection = 巡查
reg-app-status-decision = 決定
reg-app-status-info_requested = 等待你提供資料
reg-app-status-granted = 已批准
reg-app-status-refused = 已拒絕
reg-app-status-withdrawn = 已撤回
reg-app-reading-not_checked = 未有核對（未能讀取文件）
reg-app-reading-matched = 證明書上找到姓名及註冊編號
reg-app-reading-not_matched = 證明書上找不到姓名或註冊編號
reg-app-reading-unreadable = 文件無法讀取
reg-licence-status-active = 有效
reg-licence-status-suspended = 暫時吊銷
reg-licence-status-revoked = 已撤銷
reg-licence-status-surrendered = 已交回
reg-licence-status-lapsed = 已失效
field-error-licence_type_missing = 請選擇牌照類別
field-error-licensee_name_missing = 請輸入持牌人的英文或中文名稱
field-error-br_number_missing = 請輸入商業登記號碼
field-error-br_number_invalid = 商業登記號碼必須為8位數字
field-error-licensee_kind_missing = 請選擇持牌人是公司還是個人
field-error-premises_name_missing = 請輸入處所的英文或中文名稱
field-error-address_missing = 請輸入處所地址
field-error-district_missing = 請選擇處所所在地區
field-error-address_unresolved = 無法確定此地址屬於哪個香港地區：請加上地區或街道名稱，例如旺角或彌敦道
field-error-address_other_district = 地址所在地區與所選地區不同
field-error-start_date_missing = 請輸入處所開業日期
field-error-start_date_invalid = 請以日、月、年輸入開業日期，例如 15/01/2027
field-error-start_date_past = 開業日期必須為今天或以後
field-error-start_date_far = 開業日期必須在一年內
field-error-responsible_name_missing = 請輸入負責人姓名
field-error-responsible_number_missing = 請輸入負責人的註冊編號
field-error-responsible_not_registered = 名冊上沒有此註冊編號
field-error-responsible_wrong_register = 此人所屬名冊並非此牌照所需的名冊
field-error-responsible_not_in_good_standing = 此人的註冊已被暫停或除名
field-error-responsible_name_differs = 姓名與名冊上此註冊編號的姓名不符
field-error-responsible_elsewhere = 此人已是其他持牌處所的負責人
field-error-document_missing = 請上載此文件
field-error-document_missing_named = 請上載此文件：{ $document }
field-error-certificate_mismatch = 證明書上沒有顯示負責人的姓名及註冊編號
field-error-answer_missing = 請輸入你的回覆
field-error-application_submitted = 此申請已經提交
field-error-application_changed = 申請在此期間有所更改，請核對後再試
field-error-payment_declined = 付款被拒：沒有收費，申請亦未提交
field-error-no_information_requested = 我們並未就此申請要求資料
field-error-unknown_requirement = 此申請不需要這份文件
field-error-unknown_licence_type = 請選擇牌照類別
notify-regulatory-application-received-subject = 已收到申請：((reference))
notify-regulatory-application-received-body =
    ((name))：

    我們已收到你的牌照申請 ((reference)) 及款項。你可在 ((link)) 跟進申請。
notify-regulatory-information-requested-subject = 需要資料：((reference))
notify-regulatory-information-requested-body =
    ((name))：

    為繼續處理你的申請 ((reference))，我們需要：((detail))

    請在 ((link)) 回覆。在你回覆前，處理時限暫停計算。
notify-regulatory-application-granted-subject = 牌照已批出：((reference))
notify-regulatory-application-granted-body =
    ((name))：

    你的申請 ((reference)) 已獲批准，牌照號碼 ((detail))。詳情見 ((link))。
notify-regulatory-application-refused-subject = 申請被拒絕：((reference))
notify-regulatory-application-refused-body =
    ((name))：

    你的申請 ((reference)) 被拒絕。((detail)) 你可在21天內提出上訴。詳情見 ((link))。
reg-app-staff-title = 牌照申請
reg-app-staff-lead = 處理中的申請。各階段的工作列於
reg-app-worklist = 你的工作清單
reg-app-in-progress = 處理中
reg-app-filter = 顯示
reg-app-none-staff = 沒有此狀態的申請。
reg-app-submitted-on = 提交日期
reg-app-checks = 現時核對結果
reg-app-checks-pass = 所有完整性及一致性核對均通過。
reg-app-answers = 申請資料
reg-app-no-documents = 未有上載文件。
reg-app-document = 文件
reg-app-file = 檔案
reg-app-reading = 讀取結果
reg-app-card-staff-lead = 各階段的申請，連同文件及核對結果。
