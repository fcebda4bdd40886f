from django.urls import path

from zhanggui.market import review_views, views, watch_views

app_name = "market"

urlpatterns = [
    path("titles/", views.titles, name="titles"),
    path("titles/<int:product_id>/words/", views.shop_words_add, name="words-add"),
    path("words/<int:word_id>/remove/", views.shop_word_remove, name="words-remove"),
    path("keywords/", views.keywords, name="keywords"),
    path("ranks/", watch_views.ranks_page, name="ranks"),
    path("competitors/", watch_views.competitors_page, name="competitors"),
    path("board/", watch_views.board_page, name="board"),
    path("reviews/", review_views.reviews_page, name="reviews"),
    path("themes/", review_views.themes_page, name="themes"),
    path("themes/<int:theme_id>/name/", review_views.theme_rename, name="theme-rename"),
]
