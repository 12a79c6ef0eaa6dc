"""The parametric figure and props that tools/draw_exercises.py poses.

One body, built from absolute segment angles in degrees (0 points up, 90 the
way the figure faces, +x; 180 down), seen from the side (:class:`Side`) or from
the front or back (:class:`Front`), plus the floor, step, wall, counter and
chair. Everything returns SVG elements as text, with plain attributes only, so
svglib reads them and an HTML page can inline them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

INK = "#000000"
FAR = "#8a8a8a"  # the limbs on the far side of the body
PROP = "#d9d9d9"  # fill of a step, wall, counter, chair, towel
LIMB = 9.0
FAR_LIMB = 8.0
PROP_W = 3.0

HEAD_R = 11.0
NECK = 4.0
TRUNK = 56.0
UPPER_ARM = 29.0
FOREARM = 29.0
THIGH = 44.0
SHIN = 42.0
ANKLE_H = 7.0
HEEL_BACK = 6.0
BALL = 21.0
TOE = 8.0
HIP_HALF = 8.0
SHOULDER_HALF = 14.0

Point = tuple[float, float]


def vec(angle: float, length: float) -> Point:
    rad = math.radians(angle)
    return (length * math.sin(rad), -length * math.cos(rad))


def add(*points: Point) -> Point:
    return (sum(p[0] for p in points), sum(p[1] for p in points))


def toward(a: Point, b: Point) -> tuple[float, float]:
    """The angle and the distance from a to b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    return math.degrees(math.atan2(dx, -dy)), math.hypot(dx, dy)


def fmt(value: float) -> str:
    text = f"{value:.1f}"
    return "0" if text in ("-0.0", "0.0") else text.removesuffix(".0")


def pts(points: Iterable[Point]) -> str:
    return " ".join(f"{fmt(x)},{fmt(y)}" for x, y in points)


# --- primitives -------------------------------------------------------------------------


def line(a: Point, b: Point, width: float = LIMB, colour: str = INK) -> str:
    return (f'<line x1="{fmt(a[0])}" y1="{fmt(a[1])}" x2="{fmt(b[0])}" y2="{fmt(b[1])}" '
            f'stroke="{colour}" stroke-width="{fmt(width)}" stroke-linecap="round"/>')


def polyline(points: Iterable[Point], width: float = LIMB, colour: str = INK) -> str:
    return (f'<polyline points="{pts(points)}" fill="none" stroke="{colour}" '
            f'stroke-width="{fmt(width)}" stroke-linecap="round" stroke-linejoin="round"/>')


def polygon(points: Iterable[Point], fill: str = INK, stroke: str = INK,
            width: float = 3.0) -> str:
    return (f'<polygon points="{pts(points)}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{fmt(width)}" stroke-linejoin="round"/>')


def circle(c: Point, r: float, fill: str = INK, stroke: str = INK, width: float = 0) -> str:
    extra = f' stroke="{stroke}" stroke-width="{fmt(width)}"' if width else ""
    return f'<circle cx="{fmt(c[0])}" cy="{fmt(c[1])}" r="{fmt(r)}" fill="{fill}"{extra}/>'


def rect(x: float, y: float, w: float, h: float, fill: str = PROP, width: float = PROP_W) -> str:
    return (f'<rect x="{fmt(x)}" y="{fmt(y)}" width="{fmt(w)}" height="{fmt(h)}" '
            f'fill="{fill}" stroke="{INK}" stroke-width="{fmt(width)}" '
            f'stroke-linejoin="round"/>')


def head_of_arrow(tip: Point, angle: float, size: float = 9.0) -> str:
    left = add(tip, vec(angle + 180 - 28, size))
    right = add(tip, vec(angle + 180 + 28, size))
    return polygon([tip, left, right], width=1.5)


def arrow(a: Point, b: Point, width: float = 3.5, size: float = 9.0) -> str:
    """A straight arrow from a to b: the direction of a movement."""
    angle, _ = toward(a, b)
    stem_end = add(b, vec(angle + 180, size * 0.6))
    return line(a, stem_end, width) + head_of_arrow(b, angle, size)


def curved_arrow(a: Point, control: Point, b: Point, width: float = 3.5) -> str:
    angle, _ = toward(control, b)
    stem_end = add(b, vec(angle + 180, 6))
    path = (f'<path d="M {fmt(a[0])} {fmt(a[1])} Q {fmt(control[0])} {fmt(control[1])} '
            f'{fmt(stem_end[0])} {fmt(stem_end[1])}" fill="none" stroke="{INK}" '
            f'stroke-width="{fmt(width)}" stroke-linecap="round"/>')
    return path + head_of_arrow(b, angle)


def floor(y: float, x0: float, x1: float) -> str:
    return line((x0, y), (x1, y), PROP_W)


# --- the side-view figure -------------------------------------------------------------


@dataclass(frozen=True)
class Limbs:
    """One side's segment angles: arm then leg. ``toes`` None keeps them in line."""

    upper_arm: float = 180.0
    forearm: float = 180.0
    thigh: float = 180.0
    shin: float = 180.0
    foot: float = 90.0
    toes: float | None = None


@dataclass(frozen=True)
class Side:
    """A side view facing +x; ``anchor`` puts one named point at a place."""

    trunk: float = 0.0
    head: float | None = None
    near: Limbs = field(default_factory=Limbs)
    far: Limbs = field(default_factory=Limbs)
    anchor: tuple[str, Point] = ("near_heel", (0.0, 0.0))


def side_points(pose: Side) -> dict[str, Point]:
    p: dict[str, Point] = {"hip": (0.0, 0.0)}
    p["shoulder"] = vec(pose.trunk, TRUNK)
    head = pose.trunk if pose.head is None else pose.head
    p["head"] = add(p["shoulder"], vec(head, NECK + HEAD_R + 2))
    for name, limbs in (("near", pose.near), ("far", pose.far)):
        p[f"{name}_elbow"] = add(p["shoulder"], vec(limbs.upper_arm, UPPER_ARM))
        p[f"{name}_hand"] = add(p[f"{name}_elbow"], vec(limbs.forearm, FOREARM))
        p[f"{name}_knee"] = add(p["hip"], vec(limbs.thigh, THIGH))
        ankle = add(p[f"{name}_knee"], vec(limbs.shin, SHIN))
        sole = limbs.foot + 90
        p[f"{name}_ankle"] = ankle
        p[f"{name}_heel"] = add(ankle, vec(limbs.foot + 180, HEEL_BACK - 1), vec(sole, ANKLE_H))
        p[f"{name}_ball"] = add(ankle, vec(limbs.foot, BALL), vec(sole, ANKLE_H))
        toes = limbs.foot if limbs.toes is None else limbs.toes
        p[f"{name}_toe"] = add(p[f"{name}_ball"], vec(toes, TOE))
    key, place = pose.anchor
    shift = (place[0] - p[key][0], place[1] - p[key][1])
    return {k: add(v, shift) for k, v in p.items()}


def _foot(p: dict[str, Point], name: str, limbs: Limbs, colour: str) -> str:
    ankle, sole = p[f"{name}_ankle"], limbs.foot + 90
    toes = limbs.foot if limbs.toes is None else limbs.toes
    outline = [
        add(ankle, vec(limbs.foot + 180, HEEL_BACK), vec(sole, 1)),
        p[f"{name}_heel"],
        p[f"{name}_ball"],
        p[f"{name}_toe"],
        add(p[f"{name}_toe"], vec(toes - 90, 3.5)),
        add(ankle, vec(limbs.foot, BALL), vec(sole, ANKLE_H - 4.5)),
        add(ankle, vec(limbs.foot, 7), vec(sole, -1)),
    ]
    return polygon(outline, fill=colour, stroke=colour)


def side_figure(pose: Side) -> tuple[str, dict[str, Point]]:
    """The figure's SVG and its named points, for placing props beside it."""
    p = side_points(pose)
    parts: list[str] = []
    for name, limbs, colour, width in (("far", pose.far, FAR, FAR_LIMB), (None, None, INK, 0),
                                        ("near", pose.near, INK, LIMB)):
        if name is None:
            trunk_a = add(p["hip"], vec(pose.trunk, 3))
            trunk_b = add(p["shoulder"], vec(pose.trunk + 180, 5))
            parts.append(line(trunk_a, trunk_b, 18))
            parts.append(circle(p["head"], HEAD_R))
            continue
        assert limbs is not None
        parts.append(polyline([p["hip"], p[f"{name}_knee"], p[f"{name}_ankle"]], width, colour))
        parts.append(_foot(p, name, limbs, colour))
        arm = [p["shoulder"], p[f"{name}_elbow"], p[f"{name}_hand"]]
        if name == "far":
            parts.insert(0, polyline(arm, width, colour))
        else:
            parts.append(polyline(arm, width, colour))
    return "".join(parts), p


# --- the front (or back) view figure ------------------------------------------------------


@dataclass(frozen=True)
class FrontLimbs:
    """Angles in the picture plane, with a length factor for a segment seen end-on."""

    upper_arm: float = 180.0
    forearm: float = 180.0
    thigh: float = 180.0
    shin: float = 180.0
    thigh_len: float = 1.0
    shin_len: float = 1.0
    heel_lift: float = 0.0
    foot_turn: float = 0.0  # 0: the toes point at the viewer; 90: the foot in profile


@dataclass(frozen=True)
class Front:
    """``left``/``right`` are the picture's; ``anchor`` as for :class:`Side`."""

    trunk: float = 0.0
    left: FrontLimbs = field(default_factory=FrontLimbs)
    right: FrontLimbs = field(default_factory=FrontLimbs)
    anchor: tuple[str, Point] = ("pelvis", (0.0, 0.0))


def front_points(pose: Front) -> dict[str, Point]:
    p: dict[str, Point] = {"pelvis": (0.0, 0.0)}
    neck = vec(pose.trunk, TRUNK)
    p["neck"] = neck
    p["head"] = add(neck, vec(pose.trunk, NECK + HEAD_R + 2))
    for name, limbs, sign in (("left", pose.left, -1), ("right", pose.right, 1)):
        p[f"{name}_hip"] = vec(pose.trunk + 90 * sign, HIP_HALF)
        p[f"{name}_shoulder"] = add(neck, vec(pose.trunk + 90 * sign, SHOULDER_HALF))
        p[f"{name}_elbow"] = add(p[f"{name}_shoulder"], vec(limbs.upper_arm, UPPER_ARM))
        p[f"{name}_hand"] = add(p[f"{name}_elbow"], vec(limbs.forearm, FOREARM))
        p[f"{name}_knee"] = add(p[f"{name}_hip"], vec(limbs.thigh, THIGH * limbs.thigh_len))
        p[f"{name}_ankle"] = add(p[f"{name}_knee"], vec(limbs.shin, SHIN * limbs.shin_len))
        p[f"{name}_sole"] = add(p[f"{name}_ankle"], vec(limbs.shin, ANKLE_H + limbs.heel_lift))
    key, place = pose.anchor
    shift = (place[0] - p[key][0], place[1] - p[key][1])
    return {k: add(v, shift) for k, v in p.items()}


def _front_foot(p: dict[str, Point], name: str, limbs: FrontLimbs, sign: int) -> str:
    ankle, down = p[f"{name}_ankle"], limbs.shin
    out = down - 90 * sign  # the foot's outer side, at a right angle to the shin
    heel = add(ankle, vec(down, ANKLE_H))
    reach = 5 + (BALL + TOE - 5) * math.sin(math.radians(limbs.foot_turn))
    sole = p[f"{name}_sole"]
    shape = [add(ankle, vec(out, 4.5)), add(ankle, vec(out + 180, 4.5)),
             add(heel, vec(out + 180, 4.5)), add(sole, vec(out + 180, 3)),
             add(sole, vec(out, reach)), add(sole, vec(out, reach), vec(down + 180, 4)),
             add(heel, vec(out, 5))]
    return polygon(shape)


def front_figure(pose: Front) -> tuple[str, dict[str, Point]]:
    p = front_points(pose)
    parts = [polygon([p["left_shoulder"], p["right_shoulder"], p["right_hip"], p["left_hip"]],
                     width=9)]
    parts.append(circle(p["head"], HEAD_R))
    for name, limbs, sign in (("left", pose.left, -1), ("right", pose.right, 1)):
        parts.append(polyline([p[f"{name}_hip"], p[f"{name}_knee"], p[f"{name}_ankle"]]))
        parts.append(_front_foot(p, name, limbs, sign))
        parts.append(polyline([p[f"{name}_shoulder"], p[f"{name}_elbow"], p[f"{name}_hand"]]))
    return "".join(parts), p


# --- props ----------------------------------------------------------------------------


def chair(x_back: float, seat_y: float, floor_y: float, depth: float = 40) -> str:
    """A side-view chair whose back is at x_back and whose seat faces +x."""
    return (polyline([(x_back, seat_y - 52), (x_back, floor_y)], PROP_W)
            + polyline([(x_back, seat_y), (x_back + depth, seat_y), (x_back + depth, floor_y)],
                       PROP_W))


def counter(x: float, top_y: float, floor_y: float, width: float = 50) -> str:
    """A kitchen counter (a worktop on a cupboard) whose near edge is at x."""
    return rect(x, top_y, width, floor_y - top_y)


def wall(x: float, top_y: float, floor_y: float) -> str:
    return rect(x, top_y, 14, floor_y - top_y)
