ballot-list-title = 診所名額抽籤
ballot-intro = 稀缺名額以公開、可核實的抽籤公平分配，而非先到先得。
ballot-none = 現時沒有抽籤。
ballot-places = 名額
ballot-closes = 截止登記
ballot-status-open = 接受登記
ballot-status-drawn = 已抽籤
ballot-title = 抽籤
ballot-window = 登記期
ballot-entries = 登記人數
ballot-commitment = 承諾值（秘密種子的 SHA-256）
ballot-commitment-help = 種子在抽籤前保密。抽籤後會在此公布，任何人都可核對其 SHA-256 是否等於此承諾值。
ballot-your-entries = 你的登記
ballot-sign-in = 登入以登記
ballot-register = 登記抽籤
ballot-result = 抽籤結果
ballot-verified = 已核實：以公布的種子及登記重新計算，得出與公布相同的結果。
ballot-not-verified = 未能核實：無法重現公布的結果。
ballot-seed = 種子
ballot-no-show = 實際缺席率（90日）
ballot-winners = 中籤人數
ballot-cap = 額外最多
ballot-risk = 到場人數多於名額的機會
ballot-result-hash = 結果雜湊值
ballot-how = 每個登記在抽籤中的次序，是種子與其登記編號的 SHA-256；65歲或以上人士優先抽出。首批中籤者獲分配預約，其餘按次序列入候補。
ballot-ranking = 排名
ballot-registrant = 登記編號
ballot-tier = 優先組別
ballot-outcome = 結果
ballot-outcome-won = 獲分配名額
ballot-outcome-waitlist = 候補
ballot-outcome-pending = 等候抽籤
ballot-session = 時段
ballot-start = 為此時段進行抽籤
field-error-ballot_not_found = 沒有此抽籤
field-error-ballot_closed = 此抽籤現時不接受登記
field-error-ballot_already_registered = 此人已登記此抽籤
field-error-ballot_close_time = 請選擇將來、並在時段開始前的截止時間
error-ballot_already_drawn-title = 此抽籤已完成
error-ballot_still_open-title = 登記仍在進行：請在截止後抽籤
clinics-home-ballots = 稀缺名額抽籤
clinics-home-ballots-desc = 登記參加公平、可核實的抽籤，並可自行核對任何抽籤結果。
notify-clinic-ballot-registered-subject = 已收到抽籤登記：((service))，((when))
notify-clinic-ballot-registered-body =
    ((name))：
    
    你已登記參加此時段的抽籤。
    服務：((service))
    診所：((clinic))
    時段：((when))
    登記編號：((registrant))
    
    登記於((draw))截止後進行抽籤，我們會通知你結果。
notify-clinic-ballot-won-subject = 抽籤結果：你獲得名額，((service))，((when))
notify-clinic-ballot-won-body =
    ((name))：
    
    你在抽籤中獲選，名額已為你預約。
    服務：((service))
    診所：((clinic))
    時間：((when))
    預約編號：((reference))
    
    如未能出席，請取消，讓下一位使用名額。
notify-clinic-ballot-not-won-subject = 抽籤結果：今次未獲名額，((service))，((when))
notify-clinic-ballot-not-won-body =
    ((name))：
    
    你今次未有在此時段抽中名額。
    服務：((service))
    診所：((clinic))
    時段：((when))
    
    你在此時段的輪候名單排第((position))位。如有人放棄名額，我們會按次序向你提供。
