"""The application shell: navigation, home page, access denied, sign-in, security refusals."""

from __future__ import annotations

EN: dict[str, str] = {
    # shell
    "app.name": "Floorboard",
    "nav.home": "Home",
    "nav.live": "Live view",
    "nav.announcements": "Announcements",
    "nav.displays": "Displays",
    "nav.logout": "Log out",
    "nav.language": "Language",
    "home.title": "Wallboards",
    "home.open": "Open",
    "home.pages": "Pages",
    "home.hello": "Signed in as {name} ({role})",
    "denied.title": "Not allowed",
    "denied.text": "Your account cannot open this page.",
    "denied.login": "Log in",
    "notfound.title": "Page not found",
    "login.title": "Sign in",
    "login.username": "Username",
    "login.password": "Password",
    "login.submit": "Sign in",
    "login.failed": "Wrong username or password, or the account is disabled.",
    "login.expired": "The form expired; please try again.",
    # security hardening (issue 6)
    "login.locked": "Too many failed sign-in attempts. Wait {minutes} min and try again.",
    "disp.expired_state": "Expired",
    "security.csrf": (
        "Refused: this request did not carry Floorboard's security token (the page expired or "
        "the request came from another site). Reload the page and try again."
    ),
    # end security hardening
    # issue 11: request size, database outage
    "security.too_large": "Refused: the request is larger than the {kb} KB this server accepts.",
    "outage.title": "Database unavailable",
    "outage.text": (
        "Floorboard cannot reach its database right now. Live boards keep running; this page "
        "tries again by itself every few seconds."
    ),
    "outage.retrying": "Retrying…",
    "outage.callback": "The database is unavailable: what you just did was not saved. Retrying…",
    "outage.back": "The database is back. Please repeat what you just did.",
    "denied.token": "This display link is not valid (revoked, expired or mistyped).",
}

ZH: dict[str, str] = {
    "app.name": "Floorboard 大屏",
    "nav.home": "首页",
    "nav.live": "实时监控",
    "nav.announcements": "公告",
    "nav.displays": "显示屏",
    "nav.logout": "退出",
    "nav.language": "语言",
    "home.title": "大屏",
    "home.open": "打开",
    "home.pages": "页面",
    "home.hello": "当前用户：{name}（{role}）",
    "denied.title": "无权访问",
    "denied.text": "您的账号无法打开此页面。",
    "denied.login": "登录",
    "notfound.title": "页面不存在",
    "login.title": "登录",
    "login.username": "用户名",
    "login.password": "密码",
    "login.submit": "登录",
    "login.failed": "用户名或密码错误，或账号已停用。",
    "login.expired": "表单已过期，请重试。",
    # security hardening (issue 6)
    "login.locked": "登录失败次数过多，请等待 {minutes} 分钟后再试。",
    "disp.expired_state": "已过期",
    "security.csrf": "请求被拒绝：缺少安全令牌（页面已过期或请求来自其他网站），请刷新后重试。",
    # end security hardening
    "security.too_large": "请求被拒绝：请求大小超过服务器允许的 {kb} KB。",
    "outage.title": "数据库暂不可用",
    "outage.text": "Floorboard 暂时无法连接数据库。实时看板照常运行；本页面每隔几秒自动重试。",
    "outage.retrying": "正在重试…",
    "outage.callback": "数据库暂不可用：刚才的操作未保存。正在重试…",
    "outage.back": "数据库已恢复，请重新执行刚才的操作。",
    "denied.token": "此显示屏链接无效（已撤销、已过期或输入有误）。",
}
