from django.urls import path

from zhanggui.promotions.campaigns import views as campaigns
from zhanggui.promotions.offers import views as offers
from zhanggui.promotions.pricing import views as pricing

app_name = "promotions"
urlpatterns = [
    path("", offers.promotion_list, name="promotion-list"),
    path("calendar/", offers.promotion_calendar, name="calendar"),
    path("new/", offers.promotion_new, name="promotion-new"),
    path("preview/", offers.promotion_preview, name="preview"),
    path("editor/catalog/", offers.editor_catalog, name="editor-catalog"),
    path("what-if/", pricing.promotion_what_if, name="what-if"),
    path("prices/product/<int:pk>/", pricing.product_prices, name="product-prices"),
    path("eligibility/", campaigns.eligibility, name="eligibility"),
    path("campaigns/", campaigns.campaign_list, name="campaign-list"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign-new"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/archive/", campaigns.campaign_archive, name="campaign-archive"),
    path("campaigns/<int:pk>/restore/", campaigns.campaign_restore, name="campaign-restore"),
    path("campaigns/<int:pk>/check/", campaigns.campaign_check, name="campaign-check"),
    path("<int:pk>/", offers.promotion_detail, name="promotion-detail"),
    path("<int:pk>/submit/", offers.promotion_submit, name="promotion-submit"),
    path("<int:pk>/approve/", offers.promotion_approve, name="promotion-approve"),
    path("<int:pk>/cancel/", offers.promotion_cancel, name="promotion-cancel"),
    path("<int:pk>/what-if/", pricing.promotion_what_if, name="promotion-what-if"),
]
