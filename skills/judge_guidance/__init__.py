"""judge_guidance: does a problem follow the content guidance (theme, wishes) it was given?
A yes/no prompt for the judge (tools/judge.py); no template process."""
