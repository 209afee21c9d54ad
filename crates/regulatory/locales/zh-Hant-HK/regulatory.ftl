regulatory-area = 智慧規管
