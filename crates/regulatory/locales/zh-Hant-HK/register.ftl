## 公開登記冊（helper "risk"）

reg-register-card = 持牌處所登記冊
reg-register-card-lead = 搜尋藥房、藥物商、中藥商及私營醫療機構，查看其牌照及已公布的巡查結果

reg-register-title = 持牌處所登記冊
reg-register-intro = 按名稱、地區、牌照類別或狀態搜尋持牌藥房、藥物商、中藥商及私營醫療機構。
reg-register-search = 搜尋
reg-register-q = 名稱或牌照號碼
reg-register-q-hint = 英文或中文，或其中一部分，例如「Wing On」或「永安」。
reg-register-district = 地區
reg-register-type = 牌照類別
reg-register-status = 牌照狀態
reg-register-any = 任何
reg-register-results = 找到 { $count } 個牌照
reg-register-download = 下載這些結果：
reg-register-csv = CSV
reg-register-json = JSON（開放應用程式介面）
reg-register-none = 沒有相符的牌照。請減少字詞或選擇其他地區。
reg-register-premises = 處所
reg-register-number = 牌照號碼
reg-register-expires = 屆滿日期
reg-register-address = 地址
reg-register-outcome = 最近一次巡查結果
reg-register-no-outcome = 沒有已公布的結果
reg-register-publishing = 巡查結果於巡查後 14 日、上訴期屆滿後公布。以個人身份持牌者不會具名，負責人亦一概不會具名。
reg-register-licences = 牌照
reg-register-holder = 持牌人
reg-register-holder-individual = 個人（不具名）
reg-register-inspections = 已公布的巡查結果
reg-register-status-active = 有效
reg-register-status-suspended = 暫時吊銷
reg-register-status-revoked = 已撤銷
reg-register-status-surrendered = 已交回
reg-register-status-lapsed = 已失效
reg-register-outcome-compliant = 符合規定
reg-register-outcome-advice = 已給予勸諭
reg-register-outcome-warning = 已發出警告
reg-register-outcome-prosecution = 轉介檢控

field-error-reg_register_q_too_long = 最多輸入 { $max } 個字元
field-error-reg_register_unknown_district = 「{ $value }」不是地區代碼
field-error-reg_register_unknown_type = 「{ $value }」不是牌照類別
field-error-reg_register_unknown_status = 「{ $value }」不是牌照狀態：請用 active、suspended、revoked、surrendered 或 lapsed
field-error-reg_register_whole_number = 請輸入 1 至 { $max } 的整數
