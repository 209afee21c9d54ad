## 牌照證明書及其核實（regulatory::certificates）。

reg-cert-title = 牌照證明書
reg-cert-pdf = 下載 PDF（英文）
reg-cert-check-now = 立即核實此證明書
reg-cert-other-language = 英文
reg-cert-conditions = 牌照條件
reg-cert-qr-label = 開啟此證明書核實頁面的二維碼
reg-cert-qr-caption = 掃描以核實此證明書
reg-cert-how-to-check = 如何核實此證明書
reg-cert-how-to-check-text = 掃描二維碼，或前往本網站的核實頁面並輸入下面的代碼。核實結果會顯示牌照是否有效、已過期、已暫時吊銷或已撤銷，或證明書是否偽造。

reg-cert-field-number = 牌照號碼
reg-cert-field-type = 牌照類別
reg-cert-field-premises = 處所
reg-cert-field-address = 地址
reg-cert-field-premises-id = 處所編號
reg-cert-field-issued-on = 發出日期
reg-cert-field-expires-on = 有效期至
reg-cert-field-current-expires-on = 牌照現時有效期至
reg-cert-field-status = 狀態
reg-cert-field-certificate-issued = 證明書製作時間
reg-cert-field-licensee = 持牌人
reg-cert-field-responsible = 負責人

reg-cert-status-active = 有效
reg-cert-status-suspended = 已暫時吊銷
reg-cert-status-revoked = 已撤銷
reg-cert-status-surrendered = 已交回
reg-cert-status-lapsed = 已失效

reg-cert-verify-title = 核實牌照證明書
reg-cert-verify-lead = 請輸入印在牌照證明書二維碼下面的代碼。你亦可用手機相機掃描二維碼。
reg-cert-verify-another = 核實另一張證明書
reg-cert-verify-token = 證明書代碼
reg-cert-verify-hint = 由英文字母、數字、連字號及底線組成的長代碼。
reg-cert-verify-button = 核實證明書
reg-cert-verify-keys = 開發人員可使用我們的公開密鑰自行核實代碼：
reg-cert-verify-keys-link = 證明書密鑰（JSON）

reg-cert-title-valid = 證明書有效
reg-cert-title-expired = 證明書已過期
reg-cert-title-suspended = 牌照已暫時吊銷
reg-cert-title-revoked = 牌照已不再有效
reg-cert-title-forged = 並非真確的證明書

reg-cert-result-valid = 此證明書真確，牌照現正有效。
reg-cert-result-expired = 此證明書真確，但已過期。請向持牌人索取現行的證明書。
reg-cert-result-suspended = 此證明書真確，但牌照已暫時吊銷：該處所不得經營持牌業務。
reg-cert-result-revoked = 此證明書真確，但牌照已被撤銷或交回，已不再有效。
reg-cert-result-forged = 此證明書並非由本署發出。
reg-cert-revoked-superseded = 此證明書真確，但已被取代：牌照現涵蓋其他處所或另一類別。請向持牌人索取現行的證明書。
reg-cert-forged-malformed = 此代碼並非證明書代碼。請檢查是否已完整複製，或改為掃描二維碼。
reg-cert-forged-unknown-key = 此證明書並非以本署任何密鑰簽署，並不真確。
reg-cert-forged-bad-signature = 此證明書的簽署與內容不符：內容已被改動或屬偽造。
reg-cert-forged-unknown-licence = 本署並無此號碼的牌照：此證明書並不真確。
reg-cert-unchecked = 我們暫時未能連接牌照紀錄。已核實證明書的簽署及日期，但未能確認牌照其後有否被暫時吊銷或撤銷。請稍後再試。

field-error-reg_cert_token_required = 請輸入證明書代碼

