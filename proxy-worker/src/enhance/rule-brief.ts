import { type Brief, type BriefField, quotedText } from '../../../shared'

type Cue = [pattern: RegExp, phrase: string]

const CUES: Record<Exclude<BriefField, 'subject' | 'setting'>, Cue[]> = {
  composition: [
    [
      /\b(poster|flyer|billboard|banner)\b/i,
      'poster layout with a clear headline area and strong focal point',
    ],
    [/\b(app screen|dashboard|ui|interface|mockup)\b/i, 'clean interface layout on a clear grid'],
    [/\b(packaging|label|box)\b/i, 'front-facing packaging panel, label fully legible'],
    [/\b(flat ?lay|top[- ]down)\b/i, 'flat lay arranged on a tidy grid'],
    [/\b(symmetr\w*)\b/i, 'symmetrical, centred composition'],
    [/\b(negative space|minimal)\b/i, 'subject off-centre with generous negative space'],
  ],
  lighting: [
    [/\bgolden hour|sunset|sunrise\b/i, 'warm golden-hour light with long soft shadows'],
    [/\bneon\b/i, 'neon glow with coloured rim light'],
    [/\bstudio\b/i, 'soft studio key light with a gentle fill and subtle reflections'],
    [/\b(dramatic|moody|noir)\b/i, 'dramatic low-key light with deep shadows'],
    [/\bbacklit|rim light\b/i, 'backlit with a crisp rim light'],
    [/\bnight\b/i, 'night-time ambient light with practical light sources'],
  ],
  camera: [
    [/\bmacro\b/i, 'macro lens, very shallow depth of field'],
    [
      /\b(close[- ]up|portrait|headshot)\b/i,
      '85mm portrait lens, eye level, shallow depth of field',
    ],
    [/\b(aerial|drone|bird'?s[- ]eye)\b/i, 'high aerial view'],
    [/\b(wide|landscape|panorama)\b/i, 'wide-angle lens, deep focus'],
    [/\bisometric\b/i, 'isometric view, no perspective distortion'],
    [/\b(top[- ]down|flat ?lay)\b/i, 'straight top-down view'],
  ],
  style: [
    [/\b(photo\w*|realistic)\b/i, 'photorealistic, true-to-life materials and textures'],
    [/\b(illustration|illustrated|vector|flat)\b/i, 'clean vector illustration with flat colour'],
    [/\bwatercolou?r\b/i, 'loose watercolour with visible paper texture'],
    [/\b(3d|render|clay)\b/i, 'polished 3D render with soft global illumination'],
    [/\bcinematic\b/i, 'cinematic still, filmic colour grade'],
    [/\b(anime|manga)\b/i, 'anime style with crisp line art'],
  ],
  mood: [
    [/\b(premium|luxur\w*|elegant)\b/i, 'premium and refined'],
    [/\b(playful|fun|whimsical)\b/i, 'playful and upbeat'],
    [/\b(calm|serene|peaceful)\b/i, 'calm and serene'],
    [/\b(energetic|bold|vibrant)\b/i, 'bold and energetic'],
    [/\b(cozy|cosy|warm)\b/i, 'warm and cosy'],
    [/\b(dark|mysterious|eerie)\b/i, 'dark and mysterious'],
  ],
}

const DEFAULTS: Omit<Brief, 'text'> = {
  subject: '',
  setting: 'a simple, uncluttered background that keeps attention on the subject',
  composition: 'subject centred with clear negative space around it',
  lighting: 'soft, even key light with gentle shadows',
  camera: 'eye level, 50mm lens, subject in sharp focus',
  style: 'polished, high-detail, professional finish',
  mood: 'clean and inviting',
}

const SETTING_PATTERN = /\b(?:on|in|at|inside|under|against|beside|by)\s+(?:an?|the)?\s*([^,.;]+)/i

function firstCue(cues: Cue[], text: string): string | null {
  return cues.find(([pattern]) => pattern.test(text))?.[1] ?? null
}

/** A structured brief by fixed rules: what the prompt says is kept, what it leaves open gets a sensible default. */
export function ruleBrief(prompt: string): Brief {
  const text = quotedText(prompt)
  const unquoted = prompt
    .replace(/"[^"]*"|“[^”]*”|«[^»]*»/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  const setting = SETTING_PATTERN.exec(unquoted)
  const subject = (setting ? unquoted.slice(0, setting.index) : unquoted).split(/[,.;]/)[0].trim()
  return {
    subject: subject || unquoted || prompt.trim(),
    setting: setting ? setting[0].trim() : DEFAULTS.setting,
    composition: firstCue(CUES.composition, unquoted) ?? DEFAULTS.composition,
    lighting: firstCue(CUES.lighting, unquoted) ?? DEFAULTS.lighting,
    camera: firstCue(CUES.camera, unquoted) ?? DEFAULTS.camera,
    style: firstCue(CUES.style, unquoted) ?? DEFAULTS.style,
    mood: firstCue(CUES.mood, unquoted) ?? DEFAULTS.mood,
    text,
  }
}
