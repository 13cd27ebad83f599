"""``/me/``: the insured person's own records: the individual account over the years,
contributions by month and insurance type (paid and in arrears), contribution months
against the minimum, the rights statement and a proof of insurance as PDF, and their
cases."""
