"""Examples for the OpenAPI document of the team, target and leaderboard routes (shapes as the routes answer)."""

from __future__ import annotations

STAT = {"mean": 52.4, "median": 54.1, "p90": 71.8}
TARGET_PROGRESS = {"next": {"score": 70.0, "by": "2027-06-01"}, "status": "on_track", "projected_date": "2027-04-18"}
RANKS = {
    "team": {"percentile": 88.9, "withheld": None},
    "tenant": {"percentile": 91.2, "withheld": None},
    "industry": {"percentile": None, "withheld": "fewer than 10 scored reps of at least 3 other tenants in this industry"},
    "as_of": "2026-11-26T09:00:02Z",
}
BINS = [{"from": f, "to": f + 10, "reps": n} for f, n in zip(range(0, 100, 10), (0, 0, 1, 2, 3, 4, 2, 1, 1, 0), strict=True)]
TEAM = {
    "team": "emea/north", "size": 14, "scored": 13, "total": STAT,
    "pillars": {"brand": {"mean": 13.0, "median": 13.6, "p90": 18.2}, "people": {"mean": 12.1, "median": 12.0, "p90": 17.5},
                "insights": {"mean": 14.2, "median": 14.9, "p90": 19.0},
                "relationships": {"mean": 13.1, "median": 13.3, "p90": 18.8}},
    "bins": BINS, "trend_per_day": 0.12, "as_of": "2026-11-26T09:00:02Z",
    "target": TARGET_PROGRESS,
    "milestones": [{"score": 70.0, "by": "2027-06-01", "reps": 2, "share": 0.1429},
                   {"score": 80.0, "by": "2027-12-01", "reps": 0, "share": 0.0}],
}
TEAM_PAGE = {"items": [TEAM], "next_cursor": "ImVtZWEvbm9ydGgi.q8Jk3vV0d2sQ6mWf1cY7aA"}
TEAM_DETAIL = {
    **TEAM,
    "period": {"from": "2026-10-28", "to": "2026-11-26"},
    "trend": [{"day": "2026-11-25", "size": 14, "mean": 52.1, "median": 53.8, "p90": 71.5,
               "pillars": {"brand": 12.9, "people": 12.0, "insights": 14.1, "relationships": 13.1}},
              {"day": "2026-11-26", "size": 14, "mean": 52.4, "median": 54.1, "p90": 71.8,
               "pillars": {"brand": 13.0, "people": 12.1, "insights": 14.2, "relationships": 13.1}}],
    "movers": {"period": {"from": "2026-10-28", "to": "2026-11-26"},
               "risers": [{"rep_id": "rep-7", "name": "Ada Lovelace", "from": 41.0, "to": 55.3, "change": 14.3}],
               "fallers": [{"rep_id": "rep-9", "name": "Alan Turing", "from": 48.2, "to": 39.9, "change": -8.3}]},
}
UPLIFT = {
    "team": "emea/north", "size": 14,
    "baseline": {"from": "2026-07-01", "to": "2026-09-30"}, "period": {"from": "2026-10-01", "to": "2026-11-26"},
    "score": {"total": {"baseline": 50.0, "period": 65.0, "change": 15.0},
              "pillars": {"brand": {"baseline": 11.0, "period": 16.5, "change": 5.5},
                          "people": {"baseline": 12.0, "period": 15.0, "change": 3.0},
                          "insights": {"baseline": 14.0, "period": 17.0, "change": 3.0},
                          "relationships": {"baseline": 13.0, "period": 16.5, "change": 3.5}}},
    "activity": {
        "pillars": {"brand": {"baseline": 20, "period": 800, "change": 780, "baseline_per_day": 0.2174,
                              "period_per_day": 14.0351, "uplift_percent": 6356.1}},
        "platforms": {"linkedin": {"baseline": 20, "period": 800, "change": 780, "baseline_per_day": 0.2174,
                                   "period_per_day": 14.0351, "uplift_percent": 6356.1}},
    },
}
TARGET_IN = {"milestones": [{"score": 70, "by": "2027-06-01"}, {"score": 80, "by": "2027-12-01"}]}
TARGET = {"team": "emea/north", "milestones": [{"score": 70.0, "by": "2027-06-01"}, {"score": 80.0, "by": "2027-12-01"}],
          "updated_at": "2026-11-26T09:00:00Z"}
TEAMS_CSV = ("team,size,scored,total_mean,total_median,total_p90,brand_mean,...,bin_0_10,...,target_status\r\n"
             "emea/north,14,13,52.4,54.1,71.8,13.0,...,0,...,on_track\r\n")
LEADERBOARD_CSV = ("rep_id,name,team,industry,total,brand,people,insights,relationships,as_of,rank_team,rank_tenant,"
                   "rank_industry,ranks_as_of,target_next_score,target_next_by,target_status,target_projected_date\r\n"
                   "rep-7,Ada Lovelace,emea-east,software,71.3,19.2,16.0,17.6,18.5,2026-11-26T09:00:00+00:00,88.9,91.2,"
                   ",2026-11-26T09:00:02+00:00,80.0,2027-12-01,on_track,2027-09-30\r\n")
HISTORY_CSV = ("day,total,brand,people,insights,relationships,as_of\r\n"
               "2026-11-25,70.2,19.0,15.8,17.4,18.0,2026-11-26T00:00:00+00:00\r\n")
PILLARS = {"brand": 19.2, "people": 16.0, "insights": 17.6, "relationships": 18.5}
REP_SCORE = {
    "rep_id": "rep-7", "total": 71.3, "pillars": PILLARS, "as_of": "2026-11-26T09:00:05Z", "model_version": "ssi-v2",
    "updated_at": "2026-11-26T08:59:58Z", "events": 412, "ranks": RANKS,
    "explanation": {
        "as_of": "2026-11-26T09:00:02Z", "window_days": 30,
        "contributions": [{"pillar": "brand", "source": "linkedin", "type": "post.published", "points": 9.1, "events": 14}],
        "change_since_yesterday": {"total": 0.8, "pillars": {"brand": 0.9, "people": 0.0, "insights": 0.1,
                                                             "relationships": -0.2}},
    },
    "target": TARGET_PROGRESS,
}
HISTORY = {"rep_id": "rep-7", "model_version": "ssi-v2",
           "points": [{"day": "2026-11-25", "total": 70.2, "pillars": {**PILLARS, "brand": 18.1},
                       "as_of": "2026-11-26T00:00:00Z"}]}
