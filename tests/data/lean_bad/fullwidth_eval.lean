-- screen: `#eval`
＃ｅｖａｌ 1
