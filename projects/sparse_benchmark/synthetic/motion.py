"""Smooth, non-rigid motion: joint-angle trajectories, body paths, camera.

Everything here is a function of continuous time (in frames), so the
renderer can sample sub-frame instants for motion blur. Randomness is drawn
once, at construction, from the generator it is given; evaluation is pure.

Actions mirror what PoseTrack's videos show (walking and running people,
dancing, gesturing, exercising, sports swings). Each action is a periodic
pattern plus smoothly varying noise on every joint, so no two cycles are the
same and inter-joint angles keep changing: the body deforms, it is not a
rigid sprite.
"""
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .skeleton import ANGLE_INDEX, NUM_ANGLES, BodyShape

ACTIONS = ('walk', 'run', 'dance', 'gesture', 'exercise', 'swing')
# Mostly walking/standing people, as in PoseTrack; sports and dance less often.
ACTION_PROBS = (0.34, 0.12, 0.14, 0.18, 0.11, 0.11)

# Range of motion (radians) every angle is clipped to, so noise can never
# produce an impossible pose (e.g. knees bending forwards).
_LIMITS = {
    'lean_fwd': (-0.3, 0.9), 'lean_side': (-0.35, 0.35),
    'spine_fwd': (-0.3, 1.2), 'spine_side': (-0.4, 0.4),
    'spine_twist': (-0.9, 0.9), 'head_pitch': (-0.6, 0.7),
    'head_yaw': (-1.2, 1.2), 'head_roll': (-0.4, 0.4),
    'l_sh_flex': (-1.2, 3.0), 'r_sh_flex': (-1.2, 3.0),
    'l_sh_abd': (-0.3, 2.9), 'r_sh_abd': (-0.3, 2.9),
    'l_sh_twist': (-1.2, 1.4), 'r_sh_twist': (-1.2, 1.4),
    'l_elbow': (0.0, 2.5), 'r_elbow': (0.0, 2.5),
    'l_hip_flex': (-0.6, 2.2), 'r_hip_flex': (-0.6, 2.2),
    'l_hip_abd': (-0.25, 0.9), 'r_hip_abd': (-0.25, 0.9),
    'l_knee': (0.0, 2.4), 'r_knee': (0.0, 2.4),
    'l_ankle': (-0.5, 0.6), 'r_ankle': (-0.5, 0.6),
}


class SmoothNoise:
    """Random C1-smooth curves: Catmull-Rom splines through random knots.

    Args:
        rng: random generator (consumed once, here).
        duration: length of the time range to cover, in frames.
        dims: number of independent curves.
        spacing: frames between knots; larger means slower variation.
        amplitude: standard deviation of the knot values (scalar or (dims,)).
    """

    def __init__(self, rng: np.random.Generator, duration: float, dims: int,
                 spacing: float, amplitude=1.0) -> None:
        self.spacing = float(spacing)
        # Knots from two spacings before t=0 to two after the end, so any t
        # in [-spacing, duration + spacing] has four knots around it.
        n_knots = int(np.ceil(duration / spacing)) + 5
        self.knots = rng.standard_normal((n_knots, dims)) * np.asarray(
            amplitude, dtype=np.float64)

    def __call__(self, t: np.ndarray) -> np.ndarray:
        """Values ``(len(t), dims)`` at times ``t`` (frames)."""
        u = np.asarray(t, dtype=np.float64) / self.spacing + 2.0
        i = np.clip(np.floor(u).astype(int), 1, len(self.knots) - 3)
        f = (u - i)[:, None]
        p0, p1, p2, p3 = (self.knots[i + k] for k in (-1, 0, 1, 2))
        return 0.5 * ((2 * p1) + (-p0 + p2) * f +
                      (2 * p0 - 5 * p1 + 4 * p2 - p3) * f**2 +
                      (-p0 + 3 * p1 - 3 * p2 + p3) * f**3)


@dataclass
class RootState:
    """Where a person stands: ground position (metres) and extra lift."""

    x: np.ndarray  # (T,) world X
    z: np.ndarray  # (T,) depth from the camera
    lift: np.ndarray  # (T,) airborne height added to ground contact


class PersonMotion:
    """One person's action: joint angles and ground path over time.

    Args:
        rng: random generator.
        shape: the person's body (leg length sets the stride).
        action: one of :data:`ACTIONS`.
        duration: video length in frames.
        fps: frames per second (sets speeds and cadences).
        start_x: world X of the person at mid-video.
        start_z: depth at mid-video, metres.
    """

    def __init__(self, rng: np.random.Generator, shape: BodyShape,
                 action: str, duration: int, fps: float, start_x: float,
                 start_z: float) -> None:
        if action not in ACTIONS:
            raise ValueError(f'unknown action {action!r}')
        self.action = action
        self.fps = float(fps)
        self.mid = duration / 2.0
        self.x0, self.z0 = float(start_x), float(start_z)
        leg = shape.thigh + shape.shank
        self.phase0 = rng.uniform(0, 2 * np.pi)

        travelling = action in ('walk', 'run')
        if travelling:
            # Heading: mostly across the view, sometimes towards or away
            # from the camera (which changes the person's scale).
            kind = rng.random()
            side = rng.choice((-1.0, 1.0))
            if kind < 0.6:
                yaw = side * rng.uniform(1.2, 1.95)
            elif kind < 0.85:
                yaw = side * rng.uniform(0.5, 1.2)
            else:
                yaw = rng.choice((0.0, np.pi)) + rng.uniform(-0.35, 0.35)
            self.speed = (rng.uniform(0.8, 1.6) if action == 'walk' else
                          rng.uniform(2.2, 3.6))
            self.hip_amp = (rng.uniform(0.32, 0.45) if action == 'walk' else
                            rng.uniform(0.55, 0.75))
            stride = 4.0 * leg * np.sin(self.hip_amp)
            self.freq = self.speed / stride  # gait cycles per second
        else:
            yaw = rng.uniform(-np.pi, np.pi) * (0.5 if rng.random() < 0.6 else 1)
            self.speed = rng.uniform(0.0, 0.25)  # slow drift
            self.hip_amp = 0.0
            self.freq = {'dance': rng.uniform(0.8, 1.6),
                         'gesture': rng.uniform(0.4, 1.2),
                         'exercise': rng.uniform(0.6, 1.1),
                         'swing': rng.uniform(0.35, 0.7)}[action]
        self.yaw0 = float(yaw)
        self.drift_dir = rng.uniform(-np.pi, np.pi)
        # Heading wanders smoothly; stationary actions turn more freely
        # (turning around swaps left and right in the image).
        turn = 0.25 if travelling else rng.choice((0.4, 1.2))
        self.heading_noise = SmoothNoise(rng, duration, 1, rng.uniform(12, 30),
                                         turn)
        # Per-joint noise: slow large drift plus faster small jitter.
        self.slow_noise = SmoothNoise(rng, duration, NUM_ANGLES,
                                      rng.uniform(10, 20), 0.12)
        self.fast_noise = SmoothNoise(rng, duration, NUM_ANGLES,
                                      rng.uniform(3, 6), 0.04)
        # Action-specific big random arm/leg motion (dance, gesture).
        self.free_noise = SmoothNoise(rng, duration, NUM_ANGLES,
                                      rng.uniform(5, 10), 1.0)
        self.style = rng.uniform(-1, 1, size=8)  # per-person mannerisms
        self.active_arm = rng.choice(('l', 'r'))
        self.exercise_kind = rng.choice(('jacks', 'squat', 'arms'))
        # Fine time grid for integrating the curved ground path.
        self._grid = np.linspace(-2.0, duration + 2.0,
                                 int((duration + 4) * 8) + 1)
        self._path = self._integrate_path(self._grid)

    # -- ground path -------------------------------------------------------
    def heading(self, t: np.ndarray) -> np.ndarray:
        """Body yaw (radians) at frames ``t``."""
        return self.yaw0 + self.heading_noise(t)[:, 0]

    def _integrate_path(self, grid: np.ndarray) -> np.ndarray:
        if self.action in ('walk', 'run'):
            yaw = self.heading(grid)
            vel = np.stack([np.sin(yaw), -np.cos(yaw)], axis=1) * self.speed
        else:
            vel = np.tile([np.cos(self.drift_dir), np.sin(self.drift_dir)],
                          (len(grid), 1)) * self.speed
            vel = vel * (0.5 + 0.5 * np.sin(grid / 9.0 + self.phase0))[:, None]
        dt = np.diff(grid) / self.fps
        steps = 0.5 * (vel[1:] + vel[:-1]) * dt[:, None]
        path = np.concatenate([np.zeros((1, 2)), np.cumsum(steps, axis=0)])
        # Anchor the path so the person is at (x0, z0) at mid-video.
        mid = np.array([np.interp(self.mid, grid, path[:, k]) for k in (0, 1)])
        return path - mid + np.array([self.x0, self.z0])

    def root(self, t: np.ndarray) -> RootState:
        """Ground position and airborne lift at frames ``t``."""
        t = np.asarray(t, dtype=np.float64)
        x = np.interp(t, self._grid, self._path[:, 0])
        z = np.interp(t, self._grid, self._path[:, 1])
        phase = self.phase(t)
        lift = np.zeros_like(t)
        if self.action == 'run':  # flight phase twice per cycle
            lift = 0.06 * np.maximum(0.0, np.sin(2 * phase)) ** 2
        elif self.action == 'exercise' and self.exercise_kind == 'jacks':
            lift = 0.08 * np.maximum(0.0, np.sin(phase)) ** 2
        elif self.action == 'dance':
            lift = 0.03 * np.maximum(0.0, np.sin(2 * phase)) ** 4
        return RootState(x=x, z=z, lift=lift)

    def phase(self, t: np.ndarray) -> np.ndarray:
        return self.phase0 + 2 * np.pi * self.freq * np.asarray(t) / self.fps

    # -- joint angles --------------------------------------------------------
    def angles(self, t: np.ndarray) -> np.ndarray:
        """Joint angles ``(len(t), NUM_ANGLES)`` at frames ``t``."""
        t = np.asarray(t, dtype=np.float64)
        ang = _Angles(np.zeros((len(t), NUM_ANGLES)))
        st = self.style
        # Relaxed default: arms slightly away from the body, elbows bent.
        for side in ('l', 'r'):
            ang[f'{side}_sh_abd'] = 0.12 + 0.05 * st[0]
            ang[f'{side}_elbow'] = 0.25 + 0.1 * st[1]
            ang[f'{side}_hip_abd'] = 0.05
            ang[f'{side}_knee'] = 0.06
        free = _Angles(self.free_noise(t))
        getattr(self, f'_{self.action}')(ang, self.phase(t), free)
        values = ang.values + self.slow_noise(t) + self.fast_noise(t)
        values[:, ANGLE_INDEX['yaw']] = self.heading(t)
        for name, (lo, hi) in _LIMITS.items():
            i = ANGLE_INDEX[name]
            values[:, i] = np.clip(values[:, i], lo, hi)
        return values

    def _gait(self, ang: '_Angles', ph: np.ndarray, run: bool) -> None:
        amp, st = self.hip_amp, self.style
        for side, off in (('l', 0.0), ('r', np.pi)):
            p = ph + off
            ang[f'{side}_hip_flex'] = 0.05 + amp * np.sin(p)
            # The knee flexes during swing (hip flexion increasing).
            swing = np.maximum(0.0, np.cos(p - 0.35))**2
            ang[f'{side}_knee'] = (0.1 + (1.7 if run else 1.0) * swing +
                                   (0.25 if run else 0.0))
            ang[f'{side}_ankle'] = 0.15 * np.sin(p + 0.8)
            # Arms swing against the same-side leg.
            arm_amp = 0.55 if run else 0.3 + 0.1 * st[2]
            ang[f'{side}_sh_flex'] = (arm_amp * np.sin(p + np.pi) +
                                      (0.2 if run else 0.0))
            ang[f'{side}_elbow'] = ((1.5 if run else 0.3 + 0.1 * st[3]) +
                                    0.25 * np.sin(p + np.pi))
        ang['lean_fwd'] = (0.2 if run else 0.04) + 0.05 * st[4]
        ang['spine_twist'] = 0.12 * np.sin(ph + np.pi)
        ang['lean_side'] = 0.04 * np.sin(ph)

    def _walk(self, ang: '_Angles', ph: np.ndarray, free: '_Angles') -> None:
        self._gait(ang, ph, run=False)

    def _run(self, ang: '_Angles', ph: np.ndarray, free: '_Angles') -> None:
        self._gait(ang, ph, run=True)

    def _dance(self, ang: '_Angles', ph: np.ndarray, free: '_Angles') -> None:
        for side in ('l', 'r'):
            ang[f'{side}_sh_abd'] = 1.1 + 0.8 * free[f'{side}_sh_abd']
            ang[f'{side}_sh_flex'] = 0.6 + 0.9 * free[f'{side}_sh_flex']
            ang[f'{side}_sh_twist'] = 0.3 + 0.5 * free[f'{side}_sh_twist']
            ang[f'{side}_elbow'] = 1.0 + 0.7 * free[f'{side}_elbow']
            ang[f'{side}_hip_flex'] = 0.25 + 0.35 * free[f'{side}_hip_flex']
            ang[f'{side}_hip_abd'] = 0.15 + 0.15 * free[f'{side}_hip_abd']
            ang[f'{side}_knee'] = (0.35 + 0.25 * np.sin(2 * ph) +
                                   0.4 * np.abs(free[f'{side}_knee']))
        ang['spine_side'] = 0.2 * free['spine_side']
        ang['spine_twist'] = 0.35 * free['spine_twist']
        ang['head_yaw'] = 0.5 * free['head_yaw']
        ang['lean_side'] = 0.12 * np.sin(ph)

    def _gesture(self, ang: '_Angles', ph: np.ndarray,
                 free: '_Angles') -> None:
        # The active arm waves or points; the other hangs or rests.
        arm = self.active_arm
        other = 'r' if arm == 'l' else 'l'
        ang[f'{arm}_sh_abd'] = 1.3 + 0.6 * free[f'{arm}_sh_abd']
        ang[f'{arm}_sh_flex'] = 0.5 + 0.6 * free[f'{arm}_sh_flex']
        ang[f'{arm}_sh_twist'] = 0.9 + 0.3 * free[f'{arm}_sh_twist']
        ang[f'{arm}_elbow'] = 0.9 + 0.6 * np.sin(ph)
        ang[f'{other}_sh_flex'] = 0.4 * free[f'{other}_sh_flex']
        ang[f'{other}_elbow'] = 0.5 + 0.5 * np.abs(free[f'{other}_elbow'])
        ang['lean_side'] = 0.07 * free['lean_side']
        ang['head_yaw'] = 0.6 * free['head_yaw']
        ang['head_pitch'] = 0.2 * free['head_pitch']
        # Weight shift: one knee relaxed at a time.
        ang['l_knee'] = 0.1 + 0.12 * np.maximum(0, free['l_knee'])
        ang['r_knee'] = 0.1 + 0.12 * np.maximum(0, -free['l_knee'])

    def _exercise(self, ang: '_Angles', ph: np.ndarray,
                  free: '_Angles') -> None:
        cyc = 0.5 - 0.5 * np.cos(ph)  # 0 .. 1 .. 0 each cycle
        kind = self.exercise_kind
        for side in ('l', 'r'):
            if kind == 'jacks':
                ang[f'{side}_sh_abd'] = 0.2 + 2.5 * cyc
                ang[f'{side}_hip_abd'] = 0.05 + 0.35 * cyc
                ang[f'{side}_elbow'] = 0.2 + 0.2 * cyc
            elif kind == 'squat':
                ang[f'{side}_knee'] = 0.1 + 1.8 * cyc
                ang[f'{side}_hip_flex'] = 0.05 + 1.3 * cyc
                ang[f'{side}_ankle'] = -0.4 * cyc
                ang[f'{side}_sh_flex'] = 0.2 + 1.3 * cyc
                ang[f'{side}_elbow'] = 0.2 + 0.3 * cyc
            else:  # presses overhead
                ang[f'{side}_sh_flex'] = 0.2 + 2.4 * cyc
                ang[f'{side}_sh_abd'] = 0.4 + 0.4 * np.sin(ph)
                ang[f'{side}_elbow'] = 1.6 * (1 - cyc) + 0.1
        if kind == 'squat':
            ang['lean_fwd'] = 0.45 * cyc

    def _swing(self, ang: '_Angles', ph: np.ndarray, free: '_Angles') -> None:
        # Tennis/baseball-like: the torso winds up and releases, both arms
        # follow the twist, the legs stay in a wide stance.
        wind = np.sin(ph)
        ang['spine_twist'] = 0.8 * wind
        ang['lean_fwd'] = 0.15 + 0.1 * np.cos(ph)
        for side, sgn in (('l', 1.0), ('r', -1.0)):
            ang[f'{side}_sh_flex'] = 1.0 + 0.5 * sgn * wind
            ang[f'{side}_sh_abd'] = 0.3 - 0.45 * sgn * wind
            ang[f'{side}_elbow'] = 0.5 + 0.4 * np.cos(ph)
            ang[f'{side}_knee'] = 0.35 + 0.15 * sgn * wind
            ang[f'{side}_hip_flex'] = 0.25 + 0.2 * sgn * wind
            ang[f'{side}_hip_abd'] = 0.22


class _Angles:
    """Named column access to a ``(T, NUM_ANGLES)`` array."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[:, ANGLE_INDEX[name]]

    def __setitem__(self, name: str, value) -> None:
        self.values[:, ANGLE_INDEX[name]] = value


def nominal_focal(image_height: int) -> float:
    """Typical focal length (pixels): a 1.7 m person 6 m away is half the
    image height tall."""
    return 0.5 * image_height * 6.0 / 1.7


class CameraMotion:
    """Pan, tilt, zoom and shake of a camera that loosely follows people.

    The camera sits at height ``height`` looking horizontally along +Z;
    ``x(t)`` is its world X, ``focal(t)`` its focal length in pixels (zoom),
    ``tilt(t)`` a vertical principal-point offset and ``shake(t)`` a
    high-frequency image jitter in pixels (hand-held footage).

    Args:
        rng: random generator.
        duration: video length in frames.
        image_size: ``(width, height)``.
        follow_t: fine time grid the follow target is sampled on.
        follow_x: people's mean world X on that grid (the camera pans after
            them with some lag, as a camera operator would).
    """

    def __init__(self, rng: np.random.Generator, duration: int,
                 image_size, follow_t: np.ndarray,
                 follow_x: Optional[np.ndarray]) -> None:
        width, height = image_size
        self.cx, self.cy = width / 2.0, height / 2.0
        self.height_m = rng.uniform(1.0, 1.6)
        self.focal0 = nominal_focal(height) * rng.uniform(0.8, 1.2)
        self.follow = rng.uniform(0.0, 0.9) if follow_x is not None else 0.0
        self.follow_t = follow_t
        self.follow_x = follow_x if follow_x is not None else np.zeros_like(
            follow_t)
        # Smooth the follow target (operator lag) with a causal-ish filter.
        k = max(1, int(8 * rng.uniform(0.5, 2.0)))
        kernel = np.ones(k) / k
        self.follow_x = np.convolve(
            np.pad(self.follow_x, (k, k), mode='edge'), kernel, 'same')[k:-k]
        self.pan_speed = rng.normal(0.0, 0.02)  # m/frame, slow drift
        self.pan_noise = SmoothNoise(rng, duration, 1, rng.uniform(8, 25), 0.4)
        zoom_amp = rng.choice((0.0, 0.08, 0.18), p=(0.3, 0.4, 0.3))
        self.zoom_noise = SmoothNoise(rng, duration, 1, rng.uniform(10, 25),
                                      zoom_amp)
        self.tilt_noise = SmoothNoise(rng, duration, 1, rng.uniform(10, 25),
                                      0.05 * height)
        shake = rng.choice((0.0, 0.8, 2.5), p=(0.4, 0.4, 0.2))
        self.shake_noise = SmoothNoise(rng, duration, 2, rng.uniform(1.5, 3.0),
                                       shake)
        # Horizon a little above the centre (camera looking slightly down),
        # so most people are seen down to their feet.
        self.tilt0 = rng.uniform(-0.15, 0.05) * height

    def x(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64)
        target = np.interp(t, self.follow_t, self.follow_x)
        return (self.follow * target + self.pan_speed * t +
                self.pan_noise(t)[:, 0])

    def focal(self, t: np.ndarray) -> np.ndarray:
        return self.focal0 * np.exp(self.zoom_noise(t)[:, 0])

    def principal_point(self, t: np.ndarray) -> np.ndarray:
        """``(T, 2)`` image position of the optical axis, shake included."""
        t = np.asarray(t, dtype=np.float64)
        shake = self.shake_noise(t)
        cx = self.cx + shake[:, 0]
        cy = self.cy + self.tilt0 + self.tilt_noise(t)[:, 0] + shake[:, 1]
        return np.stack([cx, cy], axis=1)
