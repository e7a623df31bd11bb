"""Django format modules (FORMAT_MODULE_PATH): one date format, YYYY-MM-DD, in both languages, so a date printed
without a filter reads like every other date (panhuo.formatting.DATE_FMT)."""
