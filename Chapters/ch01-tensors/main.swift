import VAECore
print("placeholder")
