regulatory-area = Smart regulation
