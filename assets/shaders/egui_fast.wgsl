// egui's shader for iolab. The same inputs, bindings and result as bevy_egui's own
// (egui.wgsl in bevy_egui 0.42), with its pow()-based sRGB curves replaced by
// cheap fits: a software renderer (Mesa's lavapipe, what classrooms without a
// GPU and CI have) spends a large part of each frame evaluating pow() for every
// pixel of the panels. Off by less than one step of 255 for colours (the
// polynomial) and about two for texture edges such as glyphs (the square roots).
struct Transform {
    scale: vec2<f32>,
    translation: vec2<f32>,
}

struct VertexInput {
    @location(0) position: vec2<f32>,
    @location(1) uv: vec2<f32>,
    @location(2) color: vec4<f32>,
}

struct VertexOutput {
    @builtin(position) position: vec4<f32>,
    @location(0) color: vec4<f32>,
    @location(1) uv: vec2<f32>,
}

@group(0) @binding(0) var<uniform> transform: Transform;

#ifdef BINDLESS
@group(1) @binding(0) var image_texture: binding_array<texture_2d<f32>>;
@group(1) @binding(1) var image_sampler: binding_array<sampler>;
struct BindlessOffset {
    offset: u32,
};
var<immediate> offset: BindlessOffset;
#else
@group(1) @binding(0) var image_texture: texture_2d<f32>;
@group(1) @binding(1) var image_sampler: sampler;
#endif

// An sRGB value to linear light: a degree-5 polynomial through 0 and 1, fitted
// to the sRGB curve (least squares, weighted towards dark values).
fn to_linear(c: vec3<f32>) -> vec3<f32> {
    return c * (0.06070349 + c * (0.30263547 + c * (1.29279373 + c * (-1.04793452 + c * 0.39180183))));
}

// Linear light to an sRGB value: a fit on square roots (exact at 0 and 1).
fn to_gamma(c: vec3<f32>) -> vec3<f32> {
    let s1 = sqrt(c);
    let s2 = sqrt(s1);
    let s3 = sqrt(s2);
    return max(0.662002687 * s1 + 0.684122060 * s2 - 0.323583601 * s3 - 0.0225411470 * c, vec3<f32>(0.0));
}

@vertex
fn vs_main(in: VertexInput) -> VertexOutput {
    let position = in.position * transform.scale + transform.translation;
    return VertexOutput(vec4<f32>(position, 0.0, 1.0), in.color, in.uv);
}

@fragment
fn fs_main(in: VertexOutput) -> @location(0) vec4<f32> {
#ifdef BINDLESS
    let image_texture = image_texture[offset.offset];
    let image_sampler = image_sampler[offset.offset];
#endif
    // egui multiplies in gamma space: the texture back to sRGB values, times the
    // vertex colour (sRGB), then to linear light for the sRGB target.
    let t = textureSample(image_texture, image_sampler, in.uv);
    let c = vec4<f32>(to_gamma(t.rgb), t.a) * in.color;
    return vec4<f32>(to_linear(c.rgb), c.a);
}
