from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class Pillars(BaseModel):
    brand: float = Field(ge=0, le=25)
    people: float = Field(ge=0, le=25)
    insights: float = Field(ge=0, le=25)
    relationships: float = Field(ge=0, le=25)


class RepScore(BaseModel):
    rep_id: str
    total: float = Field(ge=0, le=100, description="sum of the four pillars")
    pillars: Pillars
    as_of: datetime = Field(description="the instant the score is evaluated at (decay applied up to it)")
    model_version: str
    updated_at: datetime = Field(description="when the scorer last changed this rep's state")
    events: int = Field(description="activity events scored for this rep")


class HistoryPoint(BaseModel):
    day: date
    total: float
    pillars: Pillars
    as_of: datetime = Field(description="end of the day, or now for today")


class RepHistory(BaseModel):
    rep_id: str
    model_version: str
    points: list[HistoryPoint]
