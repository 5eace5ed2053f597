print("khabar")
