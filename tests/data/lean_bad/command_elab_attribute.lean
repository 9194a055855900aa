-- screen: attribute `[command_elab]`
@[command_elab Lean.Parser.Command.check] def hijack := 0
