# shellcheck shell=bash
# Pixel checks on the VM's screenshots (sourced by the host-side test scripts; imagemagick).

# colour_share PNG GEOMETRY COLOUR: the share (0..1) of the pixels in GEOMETRY (WxH+X+Y) that
# have COLOUR (#rrggbb, within 2% to allow for nothing but rounding).
colour_share() {
    convert "$1" -crop "$2" +repage -alpha off -fuzz 2% \
        -fill black +opaque "$3" -fill white -opaque "$3" \
        -colorspace gray -format '%[fx:mean]' info:
}

# expect_share PNG GEOMETRY COLOUR OP LIMIT WHAT: fails (returns 1, says why) unless the share
# of COLOUR in GEOMETRY compares as OP (">=" or "<=") with LIMIT.
expect_share() {
    local png=$1 geometry=$2 colour=$3 op=$4 limit=$5 what=$6 share
    share=$(colour_share "$png" "$geometry" "$colour") || { echo "FAIL: cannot read $png"; return 1; }
    if awk -v s="$share" -v l="$limit" -v op="$op" 'BEGIN { exit !(op == ">=" ? s >= l : s <= l) }'; then
        echo "ok: $what: $colour is $share of $geometry in $(basename "$png") ($op $limit)"
    else
        echo "FAIL: $what: $colour is $share of $geometry in $(basename "$png"), want $op $limit"
        return 1
    fi
}

# The size of an image, "WxH".
image_size() { identify -format '%wx%h' "$1"; }
