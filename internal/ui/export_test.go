package ui

// NoticeArgs exposes noticeArgs to the tests.
func NoticeArgs() map[string][]string { return noticeArgs }
