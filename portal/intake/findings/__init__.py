"""Staff intake: reports officers enter (walk-in, phone, letter) and findings (temuan) of their
own (cyber patrol, field), filed through the one submission path; and a resident's report
taken up as a finding."""
