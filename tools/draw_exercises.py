"""Draws the exercise pictures in ``guidance/data/pictures/`` from joint angles.

Not installed: run ``.venv/bin/python tools/draw_exercises.py`` after changing a
pose and commit the SVG files it writes. Every figure is the same parametric
body, so the fifteen drawings read as one set and a drawing is redrawn by
changing numbers. Angles are absolute, in degrees: 0 points up, 90 points the
way the figure faces (+x), 180 down. The output is plain SVG that svglib can
read (lines, paths, polygons, circles, rects; no text, style, ids or links)
and it is deterministic: the same numbers give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from figure import (
    ANKLE_H,
    BALL,
    FAR,
    FAR_LIMB,
    FOREARM,
    HEAD_R,
    HEEL_BACK,
    HIP_HALF,
    INK,
    LIMB,
    NECK,
    PROP,
    PROP_W,
    SHIN,
    SHOULDER_HALF,
    THIGH,
    TOE,
    TRUNK,
    UPPER_ARM,
    Front,
    FrontLimbs,
    Limbs,
    Point,
    Side,
    add,
    arrow,
    chair,
    circle,
    counter,
    curved_arrow,
    floor,
    fmt,
    front_figure,
    head_of_arrow,
    line,
    polygon,
    polyline,
    rect,
    side_figure,
    side_points,
    toward,
    vec,
    wall,
)

OUT = Path(__file__).resolve().parent.parent / "guidance" / "data" / "pictures"


# --- the exercises -----------------------------------------------------------------------

FLOOR = 205.0
W_STAND, H_STAND = 160.0, 220.0


@dataclass(frozen=True)
class Picture:
    """Panels side by side, each ``size`` wide and high, cut from ``top`` down."""

    panels: tuple[str, ...]
    size: tuple[float, float]
    draw: Callable[[int], str]
    top: float = 0.0


def seated_leg_out(foot: float, x: float = 20) -> tuple[str, dict[str, Point]]:
    """Sitting on a chair with the near leg held out straight and the foot off the floor."""
    seat_y = FLOOR - (SHIN + ANKLE_H + 5)
    pose = Side(trunk=-4, near=Limbs(upper_arm=175, forearm=120, thigh=90, shin=100,
                                     foot=foot),
                far=Limbs(upper_arm=172, forearm=125, thigh=95, shin=180, foot=90),
                anchor=("hip", (x + 12, seat_y - 6)))
    body, p = side_figure(pose)
    return chair(x, seat_y, FLOOR) + body + floor(FLOOR, 0, 170), p


def ankle_alphabet(panel: int) -> str:
    if panel == 0:
        art, _ = seated_leg_out(foot=20)
        return art
    art, p = seated_leg_out(foot=55)
    toe = p["near_toe"]
    loop = (f'<path d="M {fmt(toe[0] - 6)} {fmt(toe[1] - 20)} '
            f'C {fmt(toe[0] + 26)} {fmt(toe[1] - 34)} {fmt(toe[0] + 30)} {fmt(toe[1] + 12)} '
            f'{fmt(toe[0] + 8)} {fmt(toe[1] + 14)}" fill="none" stroke="{INK}" '
            f'stroke-width="3.5" stroke-linecap="round"/>')
    tip = (toe[0] - 4, toe[1] + 8)
    return art + loop + head_of_arrow(tip, toward((toe[0] + 8, toe[1] + 14), tip)[0])


STEP_TOP = FLOOR - 40
STEP_EDGE = 60.0


def heel_drops(panel: int) -> str:
    """On a step, facing up it: the heels hang off the back edge, up then below the step."""
    foot = 135 if panel == 0 else 45
    pose = Side(trunk=4, near=Limbs(upper_arm=100, forearm=78, foot=foot, toes=90),
                far=Limbs(upper_arm=96, forearm=76, foot=foot, toes=90),
                anchor=("near_ball", (STEP_EDGE + 16, STEP_TOP - 2)))
    body, p = side_figure(pose)
    step = rect(STEP_EDGE, STEP_TOP, 160 - STEP_EDGE, FLOOR - STEP_TOP)
    art = step + wall(p["near_hand"][0] + 4, -10, STEP_TOP) + floor(FLOOR, 0, 160) + body
    heel = p["near_heel"]
    x = heel[0] - 14
    if panel == 0:
        return art + arrow((x, heel[1] + 30), (x, heel[1] - 2))
    return art + arrow((x, heel[1] - 34), (x, heel[1] + 2))


def calf_raise_side(panel: int) -> str:
    foot, toes = (90, None) if panel == 0 else (138, 90)
    arm = Limbs(upper_arm=105, forearm=80)
    pose = Side(trunk=3, near=replace(arm, foot=foot, toes=toes),
                far=replace(arm, upper_arm=100, foot=foot, toes=toes),
                anchor=("near_toe", (78, FLOOR - 2)))
    body, p = side_figure(pose)
    art = wall(p["near_hand"][0] + 4, 30, FLOOR) + floor(FLOOR, 0, 160) + body
    heel = p["near_heel"]
    if panel == 1:
        art += arrow((heel[0] - 14, heel[1] + 4), (heel[0] - 14, heel[1] - 30))
    return art


def calf_raise_ball(panel: int) -> str:
    """Seen from behind, so the ball shows between the heels."""
    lift = 0.0 if panel == 0 else 18.0
    legs = FrontLimbs(upper_arm=198, forearm=190, thigh=186, shin=182, heel_lift=lift)
    pose = Front(left=legs, right=replace(legs, upper_arm=162, forearm=170, thigh=174,
                                          shin=178),
                 anchor=("left_sole", (66, FLOOR - 2)))
    body, p = front_figure(pose)
    heel_y = p["left_ankle"][1] + ANKLE_H
    mid = ((p["left_ankle"][0] + p["right_ankle"][0]) / 2, heel_y - 3)
    art = floor(FLOOR, 0, 160) + body + circle(mid, 8.5, fill="#ffffff", stroke=INK, width=4)
    if panel == 1:
        x = p["right_ankle"][0] + 26
        art += arrow((x, heel_y + 8), (x, heel_y - 26))
    return art


def single_leg_balance(panel: int) -> str:
    """On the near leg beside a counter: fingertips on it, then the hands off it."""
    lifted = Limbs(upper_arm=205, forearm=195, thigh=165, shin=250, foot=150)
    holding = Side(near=Limbs(upper_arm=150, forearm=105), far=lifted,
                   anchor=("near_heel", (58, FLOOR - 2)))
    hand = side_points(holding)["near_hand"]
    pose = holding if panel == 0 else replace(holding, near=Limbs(upper_arm=172, forearm=150))
    body, _ = side_figure(pose)
    worktop = counter(hand[0] - 8, hand[1] + LIMB / 2, FLOOR)
    return worktop + floor(FLOOR, 0, 160) + body


def band_moves(panel: int) -> str:
    foot = -22 if panel == 0 else 55
    arm = Limbs(upper_arm=115, forearm=100, thigh=90, shin=90, foot=foot)
    pose = Side(trunk=-6, near=arm, far=replace(arm, upper_arm=110, forearm=98),
                anchor=("hip", (26, FLOOR - 8)))
    body, p = side_figure(pose)
    hand = p["near_hand"]
    ball, toe = p["near_ball"], p["near_toe"]
    wrap_top = add(toe, vec(foot + 90, 3))
    wrap_low = add(ball, vec(foot - 180, 9), vec(foot + 90, 2))
    band = polyline([hand, wrap_top, wrap_low, hand], 2.5, INK)
    art = floor(FLOOR, 0, 165) + body + band
    tip = p["near_toe"]
    if panel == 0:
        return art + curved_arrow(add(tip, (16, -2)), add(tip, (14, -22)), add(tip, (-4, -30)))
    return art + curved_arrow(add(tip, (-6, -30)), add(tip, (20, -30)), add(tip, (16, 4)))


FOOT_S = 3.0  # the close-up's scale against the body's foot


def close_foot(arch: float, toe_curl: float, x0: float = 30, ground: float = FLOOR,
               top: float = 100) -> str:
    """The lower leg and foot seen from the inner side, heel at x0 and toes towards +x.

    ``arch`` lifts the middle of the sole off the floor; ``toe_curl`` bends the toes
    down (degrees) at their base while the ball stays down.
    """
    s = FOOT_S

    def at(x: float, y: float) -> Point:
        return (x0 + x * s, ground - y * s)

    toe_dir = 90 + toe_curl
    rise = max(0.0, 7.5 * math.sin(math.radians(toe_curl)) - 1.0)  # the knuckles lift
    base = at(25, 1.8 + rise)
    tip_low = add(base, vec(toe_dir + 90, 1.6 * s), vec(toe_dir, 7.5 * s))
    tip_high = add(tip_low, vec(toe_dir - 90, 3.0 * s))
    knuckle = add(base, vec(toe_dir - 90, 1.8 * s))
    arch_mid = (x0 + 13 * s, ground - 2.0 * arch * s - 0.4 * s)
    ball = at(23, rise * 0.5)
    d = (f"M {fmt(x0 + 2 * s)} {fmt(top)} "
         f"L {fmt(x0 + 1.6 * s)} {fmt(ground - 10 * s)} "
         f"Q {fmt(x0 - 0.6 * s)} {fmt(ground - 2 * s)} {fmt(x0 + 2.5 * s)} {fmt(ground)} "
         f"Q {fmt(arch_mid[0])} {fmt(arch_mid[1] - arch * s)} {fmt(ball[0])} {fmt(ball[1])} "
         f"Q {fmt(base[0])} {fmt(base[1] + 2.2 * s)} {fmt(tip_low[0])} {fmt(tip_low[1])} "
         f"Q {fmt(tip_low[0] + 1.6 * s)} {fmt((tip_low[1] + tip_high[1]) / 2)} "
         f"{fmt(tip_high[0])} {fmt(tip_high[1])} "
         f"L {fmt(knuckle[0])} {fmt(knuckle[1])} "
         f"Q {fmt(x0 + 17 * s)} {fmt(ground - 6 * s)} {fmt(x0 + 10.5 * s)} "
         f"{fmt(ground - 11 * s)} "
         f"L {fmt(x0 + 10 * s)} {fmt(top)}")
    return (f'<path d="{d}" fill="#ffffff" stroke="{INK}" stroke-width="4.5" '
            f'stroke-linejoin="round" stroke-linecap="round"/>'
            + circle(at(4.5, 8.5), 1.3 * s))  # the inner ankle bone


def short_foot(panel: int) -> str:
    arch = 0.6 if panel == 0 else 3.0
    art = floor(FLOOR, 0, 160) + close_foot(arch, toe_curl=0)
    if panel == 1:
        x = 30 + 13 * FOOT_S
        art += arrow((x, FLOOR + 1), (x, FLOOR - 15), size=7)
        art += arrow((128, FLOOR - 24), (96, FLOOR - 36))
    return art


def towel_curls(panel: int) -> str:
    ground = FLOOR - 6
    if panel == 0:
        towel = rect(8, ground, 150, 6)
        return towel + floor(FLOOR, 0, 160) + close_foot(0.6, 0, x0=16, ground=ground)
    bunch = (f'<path d="M 106 {fmt(ground + 6)} Q 110 {fmt(ground - 20)} 118 {fmt(ground - 4)} '
             f'Q 124 {fmt(ground - 24)} 132 {fmt(ground - 2)} Q 138 {fmt(ground - 16)} '
             f'146 {fmt(ground + 6)} Z" fill="{PROP}" stroke="{INK}" stroke-width="3" '
             f'stroke-linejoin="round"/>')
    towel = rect(8, ground, 100, 6) + bunch
    art = towel + floor(FLOOR, 0, 160) + close_foot(0.6, 55, x0=16, ground=ground)
    return art + arrow((150, ground - 44), (118, ground - 44))


def _turned(heel: Point, turn: float, sign: int) -> Callable[[float, float], Point]:
    """Places a right foot's point (x outwards, y up the page) for a foot turned out."""
    t = math.radians(turn * sign)
    c, s = math.cos(t), math.sin(t)
    return lambda x, y: (heel[0] + x * sign * c - y * s, heel[1] + x * sign * s + y * c)


def top_foot(heel: Point, turn: float, sign: int = 1) -> str:
    """A foot seen from above, toes up the page; ``sign`` -1 is the left foot."""
    at = _turned(heel, turn, sign)
    sole = [(-12, 0), (-15, -20), (-17, -42), (-16, -55), (-8, -61), (4, -60), (14, -54),
            (19, -44), (17, -22), (12, 0), (0, 7)]
    toes = [(-10, -69, 7.0), (1, -68, 4.5), (8, -65, 4.0), (14, -60, 3.5), (19, -53, 3.0)]
    return (polygon([at(x, y) for x, y in sole], fill="#ffffff", width=4.5)
            + "".join(circle(at(x, y), r, fill="#ffffff", stroke=INK, width=3.0)
                      for x, y, r in toes))


def lower_leg_from_above(x: float, ankle_y: float, bottom: float) -> str:
    """A shin seen from above by the person sitting: from the ankle towards the viewer,
    widening to the knee and cut by the panel's lower edge."""
    d = (f"M {fmt(x - 12)} {fmt(ankle_y)} Q {fmt(x - 14)} {fmt(ankle_y + 20)} "
         f"{fmt(x - 21)} {fmt(bottom)} L {fmt(x + 21)} {fmt(bottom)} "
         f"Q {fmt(x + 14)} {fmt(ankle_y + 20)} {fmt(x + 12)} {fmt(ankle_y)}")
    return (f'<path d="{d}" fill="#ffffff" stroke="none"/>'
            + polyline([(x - 21, bottom), (x - 14, ankle_y + 20), (x - 12, ankle_y)], 4.5)
            + polyline([(x + 21, bottom), (x + 14, ankle_y + 20), (x + 12, ankle_y)], 4.5)
            + f'<path d="M {fmt(x - 12)} {fmt(ankle_y)} Q {fmt(x)} {fmt(ankle_y - 8)} '
              f'{fmt(x + 12)} {fmt(ankle_y)}" fill="#ffffff" stroke="{INK}" '
              f'stroke-width="4.5"/>')


def resisted_eversion(panel: int) -> str:
    """The sitting person's own view down at the feet: a band round both, the sore one turns out.

    Seen from the front, the turn is a few pixels at print size; from above it is the
    whole foot swinging out, as the person sees it.
    """
    turn = 0.0 if panel == 0 else 30.0
    left_x, right_x, heel_y = 44.0, 100.0, 150.0
    left, right = _turned((left_x, heel_y), 0, -1), _turned((right_x, heel_y), turn, 1)
    parts = [top_foot((left_x, heel_y), 0, -1), top_foot((right_x, heel_y), turn)]
    parts.append(polyline([left(19, -40), left(-17, -40), right(-17, -40), right(19, -40)], 3.0))
    for x in (left_x, right_x):
        parts.append(lower_leg_from_above(x, heel_y - 8, 220.0))
    if panel == 1:
        tip = right(0, -82)
        parts.append(curved_arrow(add(tip, (-14, -6)), add(tip, (10, -16)), add(tip, (16, 8))))
    return "".join(parts)


def calf_stretch(panel: int) -> str:
    lean = 6 if panel == 0 else 24
    back = Limbs(upper_arm=90 + lean - 12, forearm=90 + lean - 20, thigh=205, shin=205,
                 foot=90)
    front = Limbs(upper_arm=88 + lean - 12, forearm=85 + lean - 20, thigh=160 - lean, shin=175,
                  foot=90)
    pose = Side(trunk=lean, near=back, far=front, anchor=("near_heel", (22, FLOOR - 2)))
    body, p = side_figure(pose)
    art = wall(p["near_hand"][0] + 4, 30, FLOOR) + floor(FLOOR, 0, 170) + body
    if panel == 1:
        s = p["shoulder"]
        art += arrow((s[0] - 30, s[1] - 16), (s[0] - 6, s[1] - 16))
    return art


def glute_bridge(panel: int) -> str:
    """Lying on the back, feet flat: built from the heel so the shoulders stay on the floor."""
    heel, shin = (150.0, FLOOR - 2), 160.0
    ankle = add(heel, (-(HEEL_BACK - 1), -ANKLE_H))
    knee = add(ankle, vec(shin + 180, SHIN))
    on_floor = FLOOR - 10
    # Start: the hips rest on the floor. End: knee, hip and shoulder in one straight line.
    reach = THIGH if panel == 0 else THIGH + TRUNK
    thigh = math.degrees(math.acos((on_floor - knee[1]) / reach))
    hip = add(knee, vec(thigh + 180, THIGH))
    trunk = -math.degrees(math.acos((hip[1] - on_floor) / TRUNK))
    legs = Limbs(upper_arm=95, forearm=90, thigh=thigh, shin=shin, foot=90)
    pose = Side(trunk=trunk, head=-90, near=legs, far=legs, anchor=("near_heel", heel))
    body, p = side_figure(pose)
    art = floor(FLOOR, 0, 200) + body
    if panel == 1:
        h = p["hip"]
        art += arrow((h[0] - 2, h[1] - 14), (h[0] - 2, h[1] - 42))
    return art


# --- lying on the side: seen from in front of the body and a little above ------------------
# The same body's lengths, laid out in 3D and projected. Seen from the ceiling (the body's
# side) a knee lifting towards the ceiling comes straight at the viewer; seen from the front
# at floor level, so do hips and knees bent forward and a forearm on the floor. From the
# front and a little above, both show.

Point3 = tuple[float, float, float]
WHITE = "#ffffff"


def add3(*points: Point3) -> Point3:
    return (sum(p[0] for p in points), sum(p[1] for p in points), sum(p[2] for p in points))


def times3(p: Point3, k: float) -> Point3:
    return (p[0] * k, p[1] * k, p[2] * k)


def unit3(p: Point3) -> Point3:
    return times3(p, 1 / math.sqrt(p[0] ** 2 + p[1] ** 2 + p[2] ** 2))


def flat(angle: float, length: float) -> Point3:
    """Along the floor: 0 points from the head towards the feet, 90 towards the viewer."""
    rad = math.radians(angle)
    return (length * math.cos(rad), 0.0, length * math.sin(rad))


@dataclass(frozen=True)
class View:
    """Looks at the front of a body lying on its side, from ``tilt`` degrees above the floor.

    A 3D point is (along the floor from the head towards the feet, height above the floor,
    depth towards the viewer); (0, 0, 0) lands at ``origin`` in the panel. The tilt shows
    what moves towards the viewer (knees bent forward, a forearm on the floor) and keeps
    what lifts off the floor going up the page.
    """

    tilt: float
    origin: Point

    def __call__(self, p: Point3) -> Point:
        t = math.radians(self.tilt)
        return (self.origin[0] + p[0],
                self.origin[1] - p[1] * math.cos(t) + p[2] * math.sin(t))


def mat(view: View, x0: float, x1: float, back: float, front: float) -> str:
    """An exercise mat on the floor, from ``back`` behind the body to ``front`` before it."""
    corners = [(x0, 0.0, -back), (x1, 0.0, -back), (x1, 0.0, front), (x0, 0.0, front)]
    top = [view(c) for c in corners]
    edge = [top[3], top[2], add(top[2], (0, 5)), add(top[3], (0, 5))]
    return polygon(top, fill=PROP, stroke=INK, width=PROP_W) + \
        polygon(edge, fill=FAR, stroke=INK, width=PROP_W)


def limb(view: View, joints: list[Point3], colour: str = INK, halo: bool = True) -> str:
    """A limb through ``joints``; the halo parts it from the body or limb behind it."""
    points = [view(j) for j in joints]
    width = LIMB if colour == INK else FAR_LIMB
    return (polyline(points, width + 5, WHITE) if halo else "") + \
        polyline(points, width, colour)


def foot3(view: View, ankle: Point3, toes: Point3, sole: Point3, colour: str) -> str:
    """The side-view foot of figure.py, laid in 3D: ``toes`` and ``sole`` are unit vectors."""

    def at(along: float, down: float) -> Point:
        return view(add3(ankle, times3(toes, along), times3(sole, down)))

    outline = [at(-HEEL_BACK, 1), at(-(HEEL_BACK - 1), ANKLE_H), at(BALL, ANKLE_H),
               at(BALL + TOE, ANKLE_H), at(BALL + TOE, ANKLE_H - 3.5),
               at(BALL, ANKLE_H - 4.5), at(7, -1)]
    return polygon(outline, fill=colour, stroke=colour)


def knee_between(hip: Point3, ankle: Point3, turn: float) -> Point3:
    """The knee of a leg from ``hip`` to ``ankle``, turned ``turn`` degrees about the line
    between them: 0 points it at the viewer, 90 straight up."""
    axis = add3(ankle, times3(hip, -1))
    reach = math.sqrt(sum(v * v for v in axis))
    a = unit3(axis)
    along = (THIGH ** 2 - SHIN ** 2 + reach ** 2) / (2 * reach)
    radius = math.sqrt(THIGH ** 2 - along ** 2)
    forward = unit3(add3((0.0, 0.0, 1.0), times3(a, -a[2])))
    up = (a[1] * forward[2] - a[2] * forward[1], a[2] * forward[0] - a[0] * forward[2],
          a[0] * forward[1] - a[1] * forward[0])
    if up[1] < 0:
        up = times3(up, -1)
    t = math.radians(turn)
    return add3(hip, times3(a, along), times3(forward, radius * math.cos(t)),
                times3(up, radius * math.sin(t)))


def clamshell(panel: int) -> str:
    """On the side, hips bent 45 and knees 90 so the knees are forward of the hips, the head
    on the lower arm. Seen from in front and above, the top knee lifts up the page like a
    clam opening while the feet stay together."""
    view = View(tilt=30, origin=(94, FLOOR - 12))
    low_hip, top_hip = (0.0, 5.0, 0.0), (0.0, 5.0 + 2 * HIP_HALF, 0.0)
    low_shoulder = (-TRUNK, 5.0, 0.0)
    top_shoulder = (-TRUNK, 5.0 + 2 * SHOULDER_HALF, 0.0)
    low_knee = add3(low_hip, flat(45, THIGH))
    low_ankle = add3(low_knee, flat(-45, SHIN))
    top_ankle = add3(low_ankle, (0, 8, 0))
    top_knee = knee_between(top_hip, top_ankle, -8 if panel == 0 else 65)
    elbow = add3(low_shoulder, flat(165, UPPER_ARM))
    head = (-TRUNK - NECK - HEAD_R - 2, 5.0 + SHOULDER_HALF + 1, 0.0)
    top_elbow = add3(top_shoulder, (UPPER_ARM - 3, -3, 6))  # the top arm along the body
    top_hand = add3(top_hip, (-1, 3, 8))
    toes, sole = flat(25, 1), flat(-65, 1)
    parts = [
        mat(view, -92, 94, 10, 36),
        limb(view, [low_shoulder, elbow, add3(elbow, flat(45, FOREARM))], FAR, halo=False),
        circle(view(head), HEAD_R),
        limb(view, [low_hip, low_knee, low_ankle], FAR, halo=False),
        foot3(view, low_ankle, toes, sole, FAR),
        polygon([view(p) for p in (low_shoulder, top_shoulder, top_hip, low_hip)], width=LIMB),
        limb(view, [top_hip, top_knee, top_ankle]),
        foot3(view, top_ankle, toes, sole, INK),
        limb(view, [top_shoulder, top_elbow, top_hand], halo=False),
    ]
    if panel == 1:
        k = view(top_knee)
        parts.append(arrow((k[0] + 2, k[1] - 12), (k[0] + 2, k[1] - 40)))
    return "".join(parts)


def side_plank(panel: int) -> str:
    """On the side, propped on the forearm with the elbow under the shoulder, knees bent so
    the shins go back. Start: the hip on the floor. End: the hip lifted until the lower
    shoulder, hip and knee are in one straight line, a gap under the hip."""
    view = View(tilt=12, origin=(34, FLOOR - 6))
    elbow = (0.0, LIMB / 2, 0.0)
    shoulder = add3(elbow, (0, UPPER_ARM, 0))
    drop = shoulder[1] - LIMB / 2
    if panel == 1:
        slope = math.asin(drop / (TRUNK + THIGH))
        down = (math.cos(slope), -math.sin(slope), 0.0)
        hip = add3(shoulder, times3(down, TRUNK))
    else:
        hip = (math.sqrt(TRUNK ** 2 - drop ** 2), LIMB / 2, 0.0)
    knee = add3(hip, (THIGH, 0, 0)) if panel == 0 else add3(shoulder, times3(down, TRUNK + THIGH))
    along = unit3(add3(hip, times3(shoulder, -1)))
    side = (-along[1], along[0], 0.0)  # up from the lower side of the body to the upper
    thigh = unit3(add3(knee, times3(hip, -1)))
    thigh_side = (-thigh[1], thigh[0], 0.0)
    top_shoulder = add3(shoulder, times3(side, 2 * SHOULDER_HALF))
    top_hip = add3(hip, times3(side, 2 * HIP_HALF))
    top_knee = add3(knee, times3(thigh_side, 9))
    low_ankle = add3(knee, flat(-75, SHIN))
    top_ankle = add3(low_ankle, (0, 4, 0))
    head = add3(shoulder, times3(side, SHOULDER_HALF), times3(along, -(NECK + HEAD_R + 2)))
    hand_on_hip = add3(top_hip, times3(along, -10))
    top_elbow = add3(top_shoulder, times3(along, UPPER_ARM - 1), times3(side, -3), (0, 0, 6))
    toes, sole = flat(-45, 1), flat(-135, 1)
    parts = [
        floor(FLOOR, 0, 164),
        limb(view, [knee, low_ankle], FAR, halo=False),
        foot3(view, low_ankle, toes, sole, FAR),
        limb(view, [top_knee, top_ankle], FAR, halo=False),
        foot3(view, top_ankle, toes, sole, FAR),
        limb(view, [hip, knee], FAR, halo=False),
        limb(view, [add3(elbow, flat(150, FOREARM)), elbow, shoulder], halo=False),
        circle(view(head), HEAD_R),
        polygon([view(p) for p in (shoulder, top_shoulder, top_hip, hip)], width=LIMB),
        limb(view, [top_hip, top_knee]),
        limb(view, [top_shoulder, top_elbow, hand_on_hip], halo=False),
    ]
    if panel == 1:
        h = view(top_hip)
        parts.append(arrow((h[0] + 8, h[1] - 10), (h[0] + 8, h[1] - 38)))
    return "".join(parts)


def single_leg_squat(panel: int) -> str:
    if panel == 0:
        pose = Side(trunk=0, near=Limbs(upper_arm=150, forearm=115),
                    far=Limbs(upper_arm=185, forearm=180, thigh=190, shin=258, foot=168),
                    anchor=("near_heel", (56, FLOOR - 2)))
    else:
        pose = Side(trunk=25, near=Limbs(upper_arm=120, forearm=115, thigh=135, shin=205),
                    far=Limbs(upper_arm=190, forearm=180, thigh=200, shin=262, foot=170),
                    anchor=("near_heel", (74, FLOOR - 2)))
    body, p = side_figure(pose)
    art = counter(126, FLOOR - 95, FLOOR, 40) + floor(FLOOR, 0, 170) + body
    if panel == 1:
        h = p["hip"]
        art += arrow((h[0] - 24, h[1] - 34), (h[0] - 24, h[1] + 2))
    return art


def hop(panel: int) -> str:
    """The circuit's three moves: hop in place, skater hop, toe walk."""
    if panel == 0:
        pose = Side(trunk=6, near=Limbs(upper_arm=160, forearm=100, thigh=175, shin=190,
                                        foot=140),
                    far=Limbs(upper_arm=200, forearm=120, thigh=150, shin=250, foot=160),
                    anchor=("near_toe", (70, FLOOR - 18)))
        body, p = side_figure(pose)
        return floor(FLOOR, 0, 160) + body + arrow((112, FLOOR - 4), (112, FLOOR - 40)) + \
            arrow((126, FLOOR - 40), (126, FLOOR - 4))
    if panel == 1:
        land = FrontLimbs(upper_arm=140, forearm=120, thigh=165, shin=185)
        swing = FrontLimbs(upper_arm=215, forearm=235, thigh=150, shin=215, shin_len=0.8)
        pose = Front(trunk=-18, left=swing, right=land, anchor=("right_sole", (100, FLOOR - 2)))
        body, p = front_figure(pose)
        return (floor(FLOOR, 0, 160) + body + arrow((80, -4), (24, -4))
                + arrow((80, -4), (136, -4)))
    pose = Side(trunk=4, near=Limbs(upper_arm=150, forearm=120, thigh=165, shin=195, foot=130,
                                    toes=90),
                far=Limbs(upper_arm=205, forearm=175, thigh=195, shin=215, foot=135),
                anchor=("near_toe", (68, FLOOR - 2)))
    body, p = side_figure(pose)
    return floor(FLOOR, 0, 160) + body + arrow((100, FLOOR - 120), (140, FLOOR - 120))


PICTURES: dict[str, Picture] = {
    "ankle_alphabet": Picture(("start", "letters"), (170, 170), ankle_alphabet, top=45),
    "eccentric_heel_drops": Picture(("start", "end"), (W_STAND, 245), heel_drops, top=-40),
    "calf_raises": Picture(("start", "end"), (W_STAND, H_STAND), calf_raise_side),
    "calf_raises_ball": Picture(("start", "end"), (W_STAND, H_STAND), calf_raise_ball),
    "single_leg_balance": Picture(("start", "end"), (W_STAND, H_STAND), single_leg_balance),
    "band_ankle_movements": Picture(("up", "down"), (165, 112), band_moves, top=100),
    "short_foot": Picture(("start", "end"), (W_STAND, 125), short_foot, top=90),
    "calf_stretch": Picture(("start", "end"), (170, H_STAND), calf_stretch),
    "glute_bridges": Picture(("start", "end"), (200, 105), glute_bridge, top=110),
    "clamshells": Picture(("start", "end"), (190, 102), clamshell, top=117),
    "side_planks": Picture(("start", "end"), (164, 84), side_plank, top=125),
    "single_leg_squats": Picture(("start", "end"), (170, H_STAND), single_leg_squat),
    "towel_curls": Picture(("start", "end"), (W_STAND, 125), towel_curls, top=90),
    "resisted_eversion": Picture(("start", "end"), (W_STAND, 180), resisted_eversion, top=40),
    "ankle_circuit": Picture(("hop", "skater_hop", "toe_walk"), (W_STAND, 240), hop, top=-20),
}

GAP = 16.0
LICENCE = "Drawn for ankle-intake by tools/draw_exercises.py; MIT licence"


def svg(picture: Picture) -> str:
    w, h = picture.size
    top = picture.top
    n = len(picture.panels)
    total = n * w + (n - 1) * GAP
    body = []
    for i in range(n):
        x = i * (w + GAP)
        body.append(f'<g transform="translate({fmt(x)},0)">{picture.draw(i)}</g>')
        if i:
            body.append(line((x - GAP / 2, top + 12), (x - GAP / 2, top + h - 8), 1.5,
                             "#b0b0b0"))
    box = f"0 {fmt(top)} {fmt(total)} {fmt(h)}"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box}">'
            f"<!-- {LICENCE} -->\n" + "\n".join(body) + "\n</svg>\n")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for exercise_id, picture in PICTURES.items():
        (OUT / f"{exercise_id}.svg").write_text(svg(picture), encoding="utf-8")


if __name__ == "__main__":
    main()
