-- screen: `native`
theorem big : 2 ^ 10 % 7 = 2 := by decide +native
