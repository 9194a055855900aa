"""judge_presence: does a formal problem really use a domain? A yes/no prompt for the judge
(tools/judge.py); the template backend checks touchstones only and has no process here."""
