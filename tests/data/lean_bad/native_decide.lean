-- screen: `native_decide`
theorem big : 2 ^ 64 % 7 = 2 := by native_decide
