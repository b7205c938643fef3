"""The parser on markup as real t.me pages have it where the simulator draws no such case: a
video the browser cannot play carries the "not supported" notice inside its player and is a
video post, not a placeholder; whitespace between elements changes nothing."""

from __future__ import annotations

from archiver.tme.parse import parse_page

NOTICE = (
    '<div class="message_media_not_supported_wrap"><div class="message_media_not_supported">'
    '<div class="message_media_not_supported_label">Please open Telegram to view this post</div>'
    '<a href="https://t.me/daily/{id}?single" class="message_media_view_in_telegram">'
    "VIEW IN TELEGRAM</a></div></div>"
)
FOOTER = (
    '\n <div class="tgme_widget_message_footer compact js-message_footer">\n'
    '  <div class="tgme_widget_message_info short js-message_info">\n'
    '   <span class="tgme_widget_message_views">1.2K</span>\n'
    '   <span class="tgme_widget_message_meta"><a class="tgme_widget_message_date"'
    ' href="https://t.me/daily/{id}">\n    <time datetime="2026-01-02T03:04:05+00:00"'
    ' class="time">03:04</time></a></span>\n  </div>\n </div>\n'
)


def _page(*posts: str) -> str:
    return (
        '<!DOCTYPE html><html><body><main class="tgme_main"><section class="'
        'tgme_channel_history js-message_history">' + "".join(posts) + "</section></main>"
        "</body></html>"
    )


def _post(msg_id: int, inner: str) -> str:
    return (
        '\n<div class="tgme_widget_message_wrap js-widget_message_wrap">\n <div class="'
        'tgme_widget_message text_not_supported_wrap js-widget_message"'
        f' data-post="daily/{msg_id}">'
        f'\n  <div class="tgme_widget_message_user"><a href="https://t.me/daily"></a></div>'
        f'\n  <div class="tgme_widget_message_bubble">\n{inner}{FOOTER.format(id=msg_id)}'
        "</div>\n </div>\n</div>"
    )


def test_an_unplayable_video_is_a_video_and_a_refused_post_a_placeholder() -> None:
    video = _post(
        7,
        '<a class="tgme_widget_message_video_player blured js-message_video_player"'
        ' href="https://t.me/daily/7"><i class="tgme_widget_message_video_thumb"'
        " style=\"background-image:url('https://cdn/t.jpg')\"></i>"
        + NOTICE.format(id=7)
        + '<time class="message_video_duration js-message_video_duration">0:42</time></a>\n'
        '<div class="tgme_widget_message_text js-message_text" dir="auto">clip</div>',
    )
    refused = _post(
        8,
        '<div class="tgme_widget_message_text js-message_text" dir="auto">roll <b>it</b></div>\n'
        f'<div class="media_not_supported_cont">{NOTICE.format(id=8)}</div>',
    )
    rows = {r.msg_id: r for r in parse_page(_page(video, refused), 1).posts}
    assert (rows[7].media_kind, rows[7].media, rows[7].text) == (
        "video",
        {"duration": 42.0},
        "clip",
    )
    assert "unsupported" not in rows[7].extra["web"]
    placeholder = rows[8]
    assert (placeholder.media_kind, placeholder.media["type"]) == ("unsupported", "not_previewed")
    assert placeholder.text == "roll it"
    assert placeholder.entities == [{"type": "bold", "offset": 5, "length": 2}]
    assert (placeholder.views, placeholder.date) == (1200, 1767323045)
